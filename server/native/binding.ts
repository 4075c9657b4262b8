/**
 * Loads the native reader (native/netns_read.c, built by `npm ci` into build/Release) and wraps
 * its one call in a promise. Null, with the reason, when it was not built or cannot load: callers
 * then read with `ip` (see nativeStatus).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeJob {
  /** Namespace file to enter. */
  path: string;
  /** Namespace files whose nsid (as seen from `path`'s namespace) is wanted. */
  targets: string[];
  /** Ask the kernel to assign an nsid to targets that have none. */
  assign: boolean;
  /** false: only ask the nsids of `targets` (no dumps); default true. */
  dump?: boolean;
}

export interface NativeResult {
  /** Inode of the file opened (0 if it could not be). */
  inode: number;
  error: string | null;
  links: Buffer;
  addrs: Buffer;
  routes: Buffer;
  /** Per target: its nsid, -1 none, -2 it could not be opened or asked. */
  nsids: Int32Array;
  /** Per target: inode of the namespace its path opened (0 if it could not be opened). */
  targetInodes: Float64Array;
}

/** As the addon answers: the dumps are views of one ArrayBuffer per call (netns_read.c). */
type RawResult = Omit<NativeResult, 'links' | 'addrs' | 'routes'> & {
  links: Uint8Array;
  addrs: Uint8Array;
  routes: Uint8Array;
};

interface Addon {
  read(jobs: NativeJob[], done: (error: string | null, results: RawResult[]) => void): void;
}

/** A Buffer over the same bytes (no copy), for the parsers' readUInt*LE. */
const asBuffer = (v: Uint8Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

const ADDON = 'build/Release/netns_read.node';

/** The package root: the nearest directory above this module with a package.json (src or dist). */
export function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/**
 * Loads one of the package's addons (`build/Release/<name>.node`) and checks it exports `fn`.
 * Never throws: a missing or broken addon gives the reason, and callers fall back to processes.
 */
export function loadAddon<T>(rel: string, fn: string): { addon: T | null; reason: string } {
  if (process.env['NETNS_EXPLORER_NO_NATIVE'] === '1')
    return { addon: null, reason: 'disabled by NETNS_EXPLORER_NO_NATIVE=1' };
  const root = packageRoot();
  const file = root && join(root, rel);
  if (!file || !existsSync(file)) return { addon: null, reason: `${rel} was not built` };
  try {
    const m: unknown = createRequire(import.meta.url)(file);
    if (typeof (m as Record<string, unknown>)[fn] !== 'function')
      return { addon: null, reason: `${rel} has no ${fn}()` };
    return { addon: m as T, reason: '' };
  } catch (e) {
    return { addon: null, reason: `${rel} does not load: ${e instanceof Error ? e.message : String(e)}` };
  }
}

const load = (): { addon: Addon | null; reason: string } => loadAddon<Addon>(ADDON, 'read');

let loaded: { addon: Addon | null; reason: string } | null = null;

/** Whether the native reader is available, and why not. */
export function nativeStatus(): { available: boolean; reason: string } {
  loaded ??= load();
  return { available: loaded.addon !== null, reason: loaded.reason };
}

/** Runs the jobs on one native thread, in order; rejects if the reader itself failed. */
export function nativeRead(jobs: NativeJob[]): Promise<NativeResult[]> {
  loaded ??= load();
  const addon = loaded.addon;
  if (!addon) return Promise.reject(new Error(`native reader unavailable: ${loaded.reason}`));
  return new Promise((resolve, reject) => {
    addon.read(jobs, (error, results) =>
      error
        ? reject(new Error(error))
        : resolve(
            results.map((r) => ({
              ...r,
              links: asBuffer(r.links),
              addrs: asBuffer(r.addrs),
              routes: asBuffer(r.routes),
            })),
          ),
    );
  });
}
