/** `netns-explorer snapshot`: prints the whole topology model as JSON on stdout. */
import { createBestDiscovery } from '../native/choose.js';

const USAGE =
  'usage: netns-explorer snapshot [--pretty]\n' +
  'Prints the topology model (common/model.ts) as JSON: indented on a terminal or with --pretty,\n' +
  'else on one line (as `ip -j`; a third smaller and faster to write at 1,000 namespaces).\n';

export async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const unknown = args.find((a) => a !== '--pretty');
  if (unknown !== undefined) {
    process.stderr.write(`netns-explorer snapshot: unknown argument ${JSON.stringify(unknown)}\n${USAGE}`);
    return 2;
  }
  const pretty = args.includes('--pretty') || process.stdout.isTTY === true;
  // The native reader when it was built, else ip (announced in one line on stderr).
  const { topology, errors } = await (await createBestDiscovery({ scanFds: true })).discovery.full();
  for (const e of errors) process.stderr.write(`netns-explorer: ${e}\n`);
  process.stdout.write(JSON.stringify(topology, null, pretty ? 2 : undefined) + '\n');
  const host = topology.namespaces.find((n) => n.kind === 'host');
  return host && host.error === null ? 0 : 1;
}
