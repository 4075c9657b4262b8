/**
 * Pure: how the base chains at one hook, walked in order, add up to a verdict. Shared by the
 * nftables walk (nft.ts) and the iptables one (iptables.ts), which differ only in how a chain is
 * walked.
 */
import type { FirewallVerdict } from './nft.js';

/** A rule that might have decided, had we been able to tell whether it matches. */
export interface Doubt {
  /** What the rule would do if it matched; 'any' for a jump or a target we do not model. */
  kind: 'accept' | 'drop' | 'any';
  text: string;
}

/** One base chain walked for the packet. */
export interface ChainResult {
  dropped: boolean;
  /** The rule or policy that decided. */
  detail: string;
  doubts: Doubt[];
}

/**
 * The first chain that drops decides (later chains are not walked: `results` is consumed lazily);
 * a doubt makes the answer unknown only where it would have decided otherwise. `none` is the
 * detail when no chain was there.
 */
export function combineChains(results: Iterable<ChainResult>, nat: string[], none: string): FirewallVerdict {
  const passed: string[] = [];
  const doubtful: string[] = [];
  for (const { dropped, detail, doubts } of results) {
    const against = doubts.filter((d) => d.kind === 'any' || d.kind !== (dropped ? 'drop' : 'accept'));
    if (against.length) doubtful.push(`${against.map((d) => d.text).join('; ')}; otherwise ${detail}`);
    if (dropped) {
      if (doubtful.length) return { verdict: 'unknown', detail: doubtful.join('; '), nat };
      return { verdict: 'drop', detail, nat };
    }
    passed.push(detail);
  }
  if (doubtful.length) return { verdict: 'unknown', detail: doubtful.join('; '), nat };
  return { verdict: 'accept', detail: passed.length ? passed.join('; ') : none, nat };
}
