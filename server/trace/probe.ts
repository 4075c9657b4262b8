/**
 * The probe: really sends one ping, TCP connect or UDP datagram from the source namespace, so the
 * prediction can be checked. ICMP by busybox ping; TCP/UDP by a small constant Node script
 * (address and port as arguments, never in its text). Each process exits before we answer.
 */
import { NSENTER, run } from '../exec/run.js';
import type { ProbeResult, TraceProtocol } from '../../common/trace.js';

export const BUSYBOX = '/bin/busybox';
const TIMEOUT_S = 2;

/** Prints `ok <ms>` or `err <code or message>`; exits by itself after TIMEOUT_S at most. */
const SOCKET_PROBE = `
const [proto, host, portText, timeoutText] = process.argv.slice(1);
const port = Number(portText); const timeout = Number(timeoutText) * 1000; const t0 = process.hrtime.bigint();
const ms = () => (Number(process.hrtime.bigint() - t0) / 1e6).toFixed(3);
const done = (line) => { process.stdout.write(line + '\\n'); process.exit(0); };
setTimeout(() => done('err timeout: no answer within ' + timeoutText + ' s'), timeout).unref();
if (proto === 'tcp') {
  const s = require('net').connect({ host, port });
  s.on('connect', () => { const t = ms(); s.destroy(); done('ok ' + t); });
  s.on('error', (e) => done('err ' + (e.code || e.message)));
} else {
  const s = require('dgram').createSocket(host.includes(':') ? 'udp6' : 'udp4');
  s.on('error', (e) => done('err ' + (e.code || e.message)));
  s.on('message', () => done('ok ' + ms()));
  s.connect(port, host, () => s.send(Buffer.from('netns-explorer trace probe\\n'), (e) => { if (e) done('err ' + (e.code || e.message)); }));
}
`;

export function probeArgv(path: string, protocol: TraceProtocol, to: string, port: number | null): string[] {
  if (protocol === 'icmp')
    return [NSENTER, `--net=${path}`, BUSYBOX, 'ping', '-c', '1', '-W', String(TIMEOUT_S), to];
  return [
    NSENTER,
    `--net=${path}`,
    process.execPath,
    '-e',
    SOCKET_PROBE,
    protocol,
    to,
    String(port ?? 0),
    String(TIMEOUT_S),
  ];
}

/** Parses busybox ping's or the socket script's output (pure). */
export function parseProbe(
  protocol: TraceProtocol,
  exitCode: number,
  stdout: string,
  stderr: string,
): Omit<ProbeResult, 'command'> {
  if (protocol === 'icmp') {
    const m = /time=([\d.]+) ms/.exec(stdout);
    if (exitCode === 0 && m) return { ok: true, rttMs: Number(m[1]), error: null };
    const why =
      stderr.trim().split('\n').pop() ||
      (/0 packets received/.test(stdout) ? 'no reply' : `ping exited ${exitCode}`);
    return { ok: false, rttMs: null, error: why };
  }
  const line = stdout.trim().split('\n').pop() ?? '';
  if (line.startsWith('ok ')) return { ok: true, rttMs: Number(line.slice(3)), error: null };
  if (line.startsWith('err ')) return { ok: false, rttMs: null, error: line.slice(4) };
  return { ok: false, rttMs: null, error: stderr.trim().split('\n').pop() || `probe exited ${exitCode}` };
}

export async function sendProbe(
  path: string,
  protocol: TraceProtocol,
  to: string,
  port: number | null,
): Promise<ProbeResult> {
  const [file, ...args] = probeArgv(path, protocol, to, port);
  const r = await run(file!, args, { timeoutMs: (TIMEOUT_S + 3) * 1000 });
  const command =
    protocol === 'icmp'
      ? `busybox ping -c 1 -W ${TIMEOUT_S} ${to}`
      : `${protocol} ${protocol === 'tcp' ? 'connect' : 'datagram'} to ${to} port ${port ?? 0}`;
  if (r.timedOut) return { ok: false, rttMs: null, error: 'the probe timed out', command };
  return { ...parseProbe(protocol, r.exitCode, r.stdout, r.stderr), command };
}
