#!/usr/bin/env -S node --no-memory-reducer
/**
 * netns-explorer command line:
 *   netns-explorer [serve] [--host H] [--port P] [--read-only] ...   start the explorer (default)
 *   netns-explorer agent | hub ...                                    cluster mode (server/cluster/)
 *   netns-explorer snapshot                                          print the topology model as JSON
 *   netns-explorer lab up|down [--docker]                            build or remove the demo lab
 *   netns-explorer view A.json [B.json]                              the page for saved snapshots
 *   netns-explorer diff A.json B.json                                what changed between two snapshots
 *
 * Run with `--no-memory-reducer` (here, `npm start` and the image): a live server sits idle with a
 * big model in memory (~100 MB of heap at 1,000 namespaces), and V8's memory reducer then keeps
 * running full collections over it to shrink a heap that cannot shrink. Measured at 1,000
 * namespaces on an idle machine: 1.6-1.8 % of a core with it, 0.9 % without. It must be given at
 * start: set later (v8.setFlagsFromString) it changes nothing, measured too.
 */
const [first, ...rest] = process.argv.slice(2);

async function main(): Promise<number> {
  switch (first) {
    case 'snapshot':
      return (await import('./discovery/snapshotCommand.js')).main(rest);
    case 'lab':
      return (await import('./lab/labCommand.js')).main(rest);
    case 'view':
      return (await import('./history/viewCommand.js')).main(rest);
    case 'diff':
      return (await import('./history/diffCommand.js')).main(rest);
    case 'agent':
      return (await import('./cluster/agentCommand.js')).main(rest);
    case 'hub':
      return (await import('./cluster/hubCommand.js')).main(rest);
    case 'serve':
      return (await import('./serveCommand.js')).main(rest);
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(
        'usage: netns-explorer [serve] [--host H] [--port P] [--read-only] [--allow-remote] [--allow-host-changes]\n' +
          '       netns-explorer agent [--host IP --allow-remote] [--allow-changes]   (one node of a cluster)\n' +
          '       netns-explorer hub --agent URL ... | --agents-dns NAME              (one page for every node)\n' +
          '       netns-explorer snapshot [--pretty]\n' +
          '       netns-explorer lab up|down [--docker [--docker-host unix:///path]]\n' +
          '       netns-explorer view A.json [B.json]   (a saved snapshot, or the difference of two; no root)\n' +
          '       netns-explorer diff A.json B.json     (prints the changes from A to B)\n',
      );
      return 0;
    default:
      return (await import('./serveCommand.js')).main(first === undefined ? [] : [first, ...rest]);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`netns-explorer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
