/** `netns-explorer snapshot`: prints the whole topology model as JSON on stdout. */
import { createBestDiscovery } from '../native/choose.js';

export async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(
      'usage: netns-explorer snapshot\nPrints the topology model (common/model.ts) as JSON.\n',
    );
    return 0;
  }
  // The native reader when it was built, else ip (announced in one line on stderr).
  const { topology, errors } = await (await createBestDiscovery({ scanFds: true })).discovery.full();
  for (const e of errors) process.stderr.write(`netns-explorer: ${e}\n`);
  process.stdout.write(JSON.stringify(topology, null, 2) + '\n');
  const host = topology.namespaces.find((n) => n.kind === 'host');
  return host && host.error === null ? 0 : 1;
}
