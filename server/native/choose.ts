/**
 * Picks the reader: the native one when it was built and loads, else discovery's `ip` reader,
 * announced in one line at start so that nobody wonders why reads are slow.
 */
import type { Discovery, DiscoveryOptions } from '../discovery/api.js';
import { nativeStatus } from './binding.js';
import { createNativeDiscovery } from './discovery.js';

export function fallbackLine(reason: string): string {
  return `native reader unavailable (${reason}); reading namespaces with ip instead (one process per namespace, slower)`;
}

export async function createBestDiscovery(
  opts: DiscoveryOptions = {},
  log: (line: string) => void = (l) => void process.stderr.write(`netns-explorer: ${l}\n`),
): Promise<{ discovery: Discovery; native: boolean }> {
  const status = nativeStatus();
  if (status.available) return { discovery: createNativeDiscovery(opts), native: true };
  log(fallbackLine(status.reason));
  // Loaded only when needed: the ip reader's modules (execa...) cost a snapshot's start-up time.
  const { createDiscovery } = await import('../discovery/index.js');
  return { discovery: createDiscovery(opts), native: false };
}
