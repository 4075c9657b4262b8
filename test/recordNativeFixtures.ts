/**
 * Records server/native/__fixtures__/varied.json: the raw rtnetlink dumps of the varied scene's
 * namespaces (as the native reader returns them) next to what `ip -j -d -b -` printed there at
 * the same moment. Run as root: `npx tsx test/recordNativeFixtures.ts`.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { READ_BATCH } from '../server/discovery/ipParse.js';
import { nativeRead } from '../server/native/binding.js';
import { removeScene, variedScene } from './variedScene.js';
import { sh, uniquePrefix } from './kernel.js';

const OUT = new URL('../server/native/__fixtures__/varied.json', import.meta.url).pathname;

async function main(): Promise<void> {
  const p = uniquePrefix('fx');
  try {
    await sh(variedScene(p));
    const namespaces = [];
    for (const side of ['a', 'b']) {
      const path = `/run/netns/${p}${side}`;
      const [r] = await nativeRead([{ path, targets: [], assign: false }]);
      if (!r || r.error) throw new Error(`native read of ${path}: ${r?.error}`);
      const ip = execFileSync('/usr/bin/nsenter', [`--net=${path}`, '/usr/sbin/ip', '-j', '-d', '-b', '-'], {
        input: READ_BATCH.join('\n') + '\n',
      }).toString();
      namespaces.push({
        side,
        links: r.links.toString('base64'),
        addrs: r.addrs.toString('base64'),
        routes: r.routes.toString('base64'),
        ip,
      });
    }
    writeFileSync(OUT, JSON.stringify({ recorded: new Date().toISOString(), namespaces }, null, 1) + '\n');
  } finally {
    await sh(removeScene(p));
  }
}

await main();
