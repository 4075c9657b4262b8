/**
 * `npm ci` / `npm install` step of this package: builds the native reader (native/netns_read.c)
 * with the node-gyp that ships with npm, against the headers of the Node that runs this script
 * (nothing is downloaded). A failed build does not fail the install: netns-explorer then reads
 * namespaces with `ip` and says so in one line at start.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (s) => process.stderr.write(`netns-explorer: ${s}\n`);

// Node's own headers: <prefix>/include/node next to <prefix>/bin/node (Debian: /usr).
const nodedir = dirname(dirname(process.execPath));
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath &&
      join(dirname(process.env.npm_execpath), '../node_modules/node-gyp/bin/node-gyp.js'),
    join(nodedir, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  return candidates.find((c) => c && existsSync(c)) ?? null;
}

function main() {
  if (!existsSync(join(nodedir, 'include/node/node_api.h'))) {
    return `no Node headers under ${nodedir}/include/node`;
  }
  const gyp = nodeGyp();
  if (!gyp) return 'node-gyp (shipped with npm) not found';
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) return `node-gyp exited with ${r.status ?? r.signal}`;
  return existsSync(join(root, 'build/Release/netns_read.node')) ? null : 'no build/Release/netns_read.node';
}

const problem = main();
if (problem) say(`native reader not built (${problem}); namespaces will be read with ip`);
else say('native reader built (build/Release/netns_read.node)');
