/**
 * Loads the trace's native primitive (native/netns_ask.c, built with the reader into
 * build/Release) and wraps its one call in a promise: in a namespace, send these netlink
 * requests, return the raw replies, and read these /proc/sys files. Null, with the reason, when
 * it is not there: the trace then asks with processes (reader.ts).
 */
import { loadAddon } from '../native/binding.js';

export const NETLINK_ROUTE = 0;
export const NETLINK_SOCK_DIAG = 4;
export const NETLINK_NETFILTER = 12;

export interface AskJob {
  /** Namespace file to enter. */
  path: string;
  /** Netlink messages (header included; the sequence number is set natively). */
  requests: Array<{ protocol: number; message: Buffer }>;
  /** Files to read in the namespace (glob patterns), e.g. /proc/sys/net/ipv4/conf/STAR/rp_filter. */
  files: string[];
}

export interface AskReply {
  /** Every message answering the request, the closing DONE/ERROR excluded. */
  bytes: Buffer;
  /** 0, the kernel's error (positive errno) or a local failure. */
  errno: number;
  /** strerror of errno, null when 0. */
  message: string | null;
}

export interface AskResult {
  inode: number;
  /** The namespace's netns cookie (never reused while the system runs), 0 when unknown. */
  cookie: number;
  /** Why the namespace could not be entered (then nothing was asked). */
  error: string | null;
  replies: AskReply[];
  files: Array<{ path: string; value: string | null }>;
}

interface Addon {
  ask(jobs: AskJob[], done: (error: string | null, results: AskResult[]) => void): void;
}

const ADDON = 'build/Release/netns_ask.node';

const load = (): { addon: Addon | null; reason: string } => loadAddon<Addon>(ADDON, 'ask');

let loaded: { addon: Addon | null; reason: string } | null = null;

export function askStatus(): { available: boolean; reason: string } {
  loaded ??= load();
  return { available: loaded.addon !== null, reason: loaded.reason };
}

/** Asks one namespace; rejects when it cannot be entered or the native thread failed. */
export async function askNamespace(job: AskJob): Promise<AskResult> {
  loaded ??= load();
  const addon = loaded.addon;
  if (!addon) throw new Error(`native trace reader unavailable: ${loaded.reason}`);
  const [result] = await new Promise<AskResult[]>((resolve, reject) => {
    addon.ask([job], (error, results) => (error ? reject(new Error(error)) : resolve(results)));
  });
  if (!result) throw new Error('native trace reader: no answer');
  if (result.error) throw new Error(`${job.path}: ${result.error}`);
  return result;
}
