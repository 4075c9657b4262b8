/**
 * A picture of a namespace as `ip -j` shows it (link, addr, route of every table), for a
 * checkpoint to compare with after a rollback: equal pictures mean the change is gone exactly.
 */
import type { NsRef, Op } from './context.js';

const VOLATILE = new Set(['stats', 'stats64', 'valid_life_time', 'preferred_life_time']);

/** The value without counters and lifetimes, which change while nothing else does. */
export function stripVolatile(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripVolatile);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !VOLATILE.has(k))
        .map(([k, x]) => [k, stripVolatile(x)]),
    );
  return v;
}

const SECTIONS: Array<[string, string[]]> = [
  ['link', ['-j', '-d', 'link', 'show']],
  ['addr', ['-j', 'addr', 'show']],
  ['route4', ['-4', '-j', 'route', 'show', 'table', 'all']],
  ['route6', ['-6', '-j', 'route', 'show', 'table', 'all']],
];

/** `ip -j` link/addr/route of a namespace, one JSON text per section (volatile counters dropped). */
export async function picture(op: Op, ns: NsRef): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, args] of SECTIONS) {
    const stdout = await op.ip(ns, args, `reading the host (${name}) for a checkpoint`);
    out[name] = JSON.stringify(stripVolatile(JSON.parse(stdout.trim() || '[]')));
  }
  return out;
}
