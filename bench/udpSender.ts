/**
 * The capture benches' traffic: `pps` 64-byte UDP datagrams a second for `seconds`, paced every
 * 10 ms, from namespace A of a pair to B's address (port 9, discard), sent by a separate node
 * process inside A so the bench's own event loop does not pace it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Pair } from '../server/capture/testing/captureTestKit.js';

const execFileP = promisify(execFile);

/** The sender as a script for `node -e`: prints how many datagrams it sent. */
const SENDER = `
const dgram = require('node:dgram');
const [host, pps, seconds] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const s = dgram.createSocket('udp4');
const buf = Buffer.alloc(64);
const total = pps * seconds;
let queued = 0, done = 0;
const start = Date.now();
const tick = () => {
  const due = Math.min(total, Math.floor(((Date.now() - start) * pps) / 1000));
  while (queued < due) { queued++; s.send(buf, 9, host, () => { if (++done === total) { console.log(done); s.close(); } }); }
  if (queued < total) setTimeout(tick, 10);
};
tick();
`;

/** Sends the pair's traffic (A to B) and returns how many datagrams went out. */
export async function sendUdp(pair: Pair, pps: number, seconds: number): Promise<number> {
  const { stdout } = await execFileP('/usr/bin/nsenter', [
    `--net=/run/netns/${pair.a}`,
    process.execPath,
    '-e',
    SENDER,
    pair.ipB,
    String(pps),
    String(seconds),
  ]);
  return Number(stdout.trim());
}

/** Percent of `sent` that was not captured, to two decimals (100 when nothing was sent). */
export function lossPercent(sent: number, captured: number): number {
  return sent ? Math.round((10_000 * (sent - captured)) / sent) / 100 : 100;
}
