/**
 * Command-line options of `netns-explorer serve`, parsed into a plain value (no side effects,
 * so every refusal is unit-testable).
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

export const DEFAULT_PORT = 7878;
export const DEFAULT_AUDIT_LOG = '/var/log/netns-explorer/audit.log';

export interface ServeOptions {
  /** IP literal the server binds to (`localhost` is normalised to 127.0.0.1). */
  host: string;
  /** 0 asks the kernel for an ephemeral port. */
  port: number;
  allowRemote: boolean;
  readOnly: boolean;
  /** Why the server is read-only, for the start-up log; null when writable. */
  readOnlyReason: string | null;
  allowHostChanges: boolean;
  /** `POST /api/trace` may send its probe (real traffic) although the server is read-only. */
  allowProbe: boolean;
  token: string;
  tokenSource: 'env' | 'generated';
  auditLogPath: string;
  /** Folder of the built page (index.html + assets/); null = find dist/client. */
  staticDir: string | null;
  /** Log every refresh: what it read, how long it waited and took, how many operations. */
  verbose: boolean;
  /** How long the page has to confirm a host change before it is rolled back; 0 = no checkpoints. */
  confirmWindowMs: number;
  /** A namespace treated as the host too (tests point the server at a stand-in); null = none. */
  hostNetnsPath: string | null;
  /** Packet capture from the page (false with `--no-capture`). */
  capture: boolean;
  /** Capture even when read-only (an agent with `--allow-capture`: a capture changes no kernel state). */
  captureWhenReadOnly?: boolean;
}

export type ParseResult =
  { ok: true; options: ServeOptions; warnings: string[] } | { ok: false; error: string } | { ok: 'help' };

export const USAGE =
  'usage: netns-explorer [serve] [--host IP] [--port N] [--read-only] [--allow-remote]\n' +
  '                      [--allow-host-changes] [--allow-probe] [--audit-log PATH] [--static-dir DIR]\n' +
  '                      [--verbose] [--confirm-window SECONDS] [--host-netns PATH] [--no-capture]\n' +
  'A host change is rolled back unless the page confirms it within --confirm-window (default 20, 0 = off).\n' +
  'The access token comes from NETNS_EXPLORER_TOKEN, else it is generated (128+ random bits).\n';

/** True for 127.0.0.0/8 and ::1 (and their IPv4-mapped form). */
export function isLoopback(ip: string): boolean {
  const v = ip.toLowerCase();
  if (isIP(v) === 4) return v.startsWith('127.');
  if (isIP(v) === 6)
    return v === '::1' || /^(0{1,4}:){5}(0{1,4}:)?0*1$/.test(v) || v.startsWith('::ffff:127.');
  return false;
}

/** A generated token: 32 random bytes (256 bits), URL-safe. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

const VALUE_FLAGS = new Set([
  '--host',
  '--port',
  '--audit-log',
  '--static-dir',
  '--confirm-window',
  '--host-netns',
]);
const BOOL_FLAGS = new Set([
  '--read-only',
  '--allow-remote',
  '--allow-host-changes',
  '--allow-probe',
  '--verbose',
  '--no-capture',
]);

export function parseServeArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  isRoot: boolean,
): ParseResult {
  const args = argv[0] === 'serve' ? argv.slice(1) : [...argv];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const raw = args[i]!;
    if (raw === '--help' || raw === '-h') return { ok: 'help' };
    const eq = raw.indexOf('=');
    const name = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    if (VALUE_FLAGS.has(name)) {
      const value = eq > 0 && name !== raw ? raw.slice(eq + 1) : args[++i];
      if (value === undefined || value === '') return { ok: false, error: `${name} needs a value` };
      values.set(name, value);
    } else if (BOOL_FLAGS.has(raw)) {
      flags.add(raw);
    } else {
      return { ok: false, error: `unknown argument ${JSON.stringify(raw)}` };
    }
  }

  let host = values.get('--host') ?? '127.0.0.1';
  if (host === 'localhost') host = '127.0.0.1';
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  // Only IP literals: the Host-header allowlist must name exactly what we listen on.
  if (isIP(host) === 0 || host.includes('%')) {
    return { ok: false, error: `--host must be an IP address (or localhost), got ${JSON.stringify(host)}` };
  }
  const portText = values.get('--port') ?? String(DEFAULT_PORT);
  if (!/^(0|[1-9][0-9]{0,4})$/.test(portText) || Number(portText) > 65535) {
    return { ok: false, error: `--port must be 0-65535, got ${JSON.stringify(portText)}` };
  }
  const allowRemote = flags.has('--allow-remote');
  const warnings: string[] = [];
  if (!isLoopback(host)) {
    if (!allowRemote) {
      return {
        ok: false,
        error: `refusing to listen on non-loopback ${host} without --allow-remote (anyone who can reach it and learns the token gets root over the network stack)`,
      };
    }
    warnings.push(
      `WARNING: listening on ${host}: reachable from other machines; traffic is plain HTTP, so the token can be sniffed`,
    );
  }

  let readOnly = flags.has('--read-only');
  let readOnlyReason: string | null = readOnly ? '--read-only was given' : null;
  if (!isRoot) {
    readOnly = true;
    readOnlyReason = 'not running as root (changes to namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN)';
  }

  const envToken = env.NETNS_EXPLORER_TOKEN;
  if (envToken !== undefined && envToken.length < 16) {
    return { ok: false, error: 'NETNS_EXPLORER_TOKEN must be at least 16 characters' };
  }
  if (envToken !== undefined && !/^[\x21-\x7e]+$/.test(envToken)) {
    return { ok: false, error: 'NETNS_EXPLORER_TOKEN must be printable ASCII without spaces' };
  }

  const windowText = values.get('--confirm-window') ?? '20';
  if (!/^(0|[1-9][0-9]{0,2})$/.test(windowText) || Number(windowText) > 600) {
    return { ok: false, error: `--confirm-window must be 0-600 seconds, got ${JSON.stringify(windowText)}` };
  }
  const hostNetnsPath = values.get('--host-netns') ?? env.NETNS_EXPLORER_HOST_NETNS ?? null;
  if (hostNetnsPath !== null && !hostNetnsPath.startsWith('/')) {
    return { ok: false, error: '--host-netns must be an absolute path (e.g. /run/netns/NAME)' };
  }

  return {
    ok: true,
    warnings,
    options: {
      host,
      port: Number(portText),
      allowRemote,
      readOnly,
      readOnlyReason,
      allowHostChanges: flags.has('--allow-host-changes'),
      allowProbe: flags.has('--allow-probe'),
      token: envToken ?? generateToken(),
      tokenSource: envToken !== undefined ? 'env' : 'generated',
      auditLogPath: values.get('--audit-log') ?? DEFAULT_AUDIT_LOG,
      staticDir: values.get('--static-dir') ?? null,
      verbose: flags.has('--verbose'),
      confirmWindowMs: Number(windowText) * 1000,
      hostNetnsPath,
      capture: !flags.has('--no-capture'),
    },
  };
}
