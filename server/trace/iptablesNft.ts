/**
 * Tables that iptables-nft manages, seen through `nft -j`: their iptables matches (conntrack,
 * addrtype, ...) show there only as opaque `xt` expressions, which nft.ts cannot decide. Where a
 * ruleset has them, iptables-nft-save prints those tables in iptables' own words, which
 * iptables.ts decides; nft.ts then evaluates the other tables only (pure).
 */
import { parseIptablesSave } from './iptablesParse.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a `nft -j list ruleset` holds an xt (iptables compat) expression. */
export function hasXt(json: unknown): boolean {
  return JSON.stringify(json).includes('"xt":');
}

/**
 * `family/table` keys (`ip/filter`, `ip6/filter`) of the tables iptables-nft-save printed. A table
 * it cannot show (rules written by nft itself) is printed as "incompatible", without a section.
 */
export function managedTables(text: string, text6: string | null): Set<string> {
  const keys = parseIptablesSave(text).map((t) => `ip/${t.name}`);
  if (text6) keys.push(...parseIptablesSave(text6).map((t) => `ip6/${t.name}`));
  return new Set(keys);
}

/** The ruleset without the given tables (their tables, chains, rules, sets...). */
export function withoutTables(json: unknown, skip: Set<string>): unknown {
  if (!isObj(json) || !Array.isArray(json.nftables) || skip.size === 0) return json;
  const keep = (item: unknown) => {
    if (!isObj(item)) return true;
    const [kind, body] = Object.entries(item)[0] ?? [];
    if (!isObj(body) || body.family === undefined) return true;
    // A table names itself; chains, rules, sets... name the table they are in.
    const table = kind === 'table' ? body.name : body.table;
    return !skip.has(`${String(body.family)}/${String(table)}`);
  };
  return { ...json, nftables: json.nftables.filter(keep) };
}
