/**
 * netns-explorer's full snapshot, in-process (discovery full()) and end to end (the CLI's
 * `snapshot` command, node start-up included), timed side by side with the baselines.
 */
import { performance } from 'node:perf_hooks';
import type { Topology } from '../common/model.js';
import type { Timed } from './baselines.js';
import { cmd } from './proc.js';

// The product's build (dist/), not the bench's own copy in dist-bench/: the CLI serves dist/client.
export const CLI = new URL('../../dist/server/cli.js', import.meta.url).pathname;
/** Node flags the CLI runs with when users start it (its shebang, `npm start`, the image). */
export const CLI_NODE_FLAGS = ['--no-memory-reducer'];
const DISCOVERY = new URL('../server/discovery/index.js', import.meta.url).href;

interface FullResult {
  topology: Topology;
  errors: unknown[];
}
interface DiscoveryLike {
  full(): Promise<FullResult>;
}

function isDiscoveryModule(m: unknown): m is { createDiscovery: (opts?: object) => DiscoveryLike } {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { createDiscovery?: unknown }).createDiscovery === 'function'
  );
}

const CHOOSER = new URL('../server/native/choose.js', import.meta.url).href;

function isChooser(m: unknown): m is { createBestDiscovery: () => Promise<{ discovery: DiscoveryLike }> } {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { createBestDiscovery?: unknown }).createBestDiscovery === 'function'
  );
}

/** Loads discovery from the build; null (with the reason) while it has not landed yet. */
export async function loadDiscovery(): Promise<{ discovery: DiscoveryLike | null; reason: string }> {
  try {
    // The reader the product uses (native when built, else ip), as `snapshot` and `serve` do.
    const c: unknown = await import(CHOOSER).catch(() => null);
    if (isChooser(c)) return { discovery: (await c.createBestDiscovery()).discovery, reason: '' };
    const m: unknown = await import(DISCOVERY);
    if (!isDiscoveryModule(m)) return { discovery: null, reason: 'discovery module has no createDiscovery' };
    return { discovery: m.createDiscovery(), reason: '' };
  } catch (e) {
    return {
      discovery: null,
      reason: `discovery not available: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

export async function explorerInProcess(d: DiscoveryLike): Promise<Timed> {
  const t0 = performance.now();
  try {
    const r = await d.full();
    const ms = performance.now() - t0;
    return {
      ms,
      namespaces: r.topology.namespaces.length,
      bytes: JSON.stringify(r.topology).length,
      error: r.errors.length
        ? `${r.errors.length} discovery errors: ${JSON.stringify(r.errors[0]).slice(0, 200)}`
        : null,
    };
  } catch (e) {
    return { ms: performance.now() - t0, namespaces: 0, bytes: 0, error: String(e) };
  }
}

const CLI_TIMEOUT_MS = 120_000;

export async function explorerCli(): Promise<Timed> {
  const r = await cmd([process.execPath, CLI, 'snapshot'], {
    env: { ...process.env },
    timeoutMs: CLI_TIMEOUT_MS,
  });
  let namespaces = 0;
  let error =
    r.code === 0
      ? null
      : r.ms >= CLI_TIMEOUT_MS
        ? `killed after ${CLI_TIMEOUT_MS} ms`
        : r.stderr.slice(0, 200);
  try {
    namespaces = (JSON.parse(r.stdout) as Topology).namespaces.length;
  } catch {
    error ??= 'output is not JSON';
  }
  return { ms: r.ms, namespaces, bytes: r.stdout.length, error };
}
