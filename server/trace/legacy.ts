/**
 * iptables beside nftables: which iptables tools are installed, and the legacy (x_tables) rules of
 * a namespace. Legacy rules live outside nftables (`nft list ruleset` never shows them) and drop
 * packets all the same, so a namespace's tables are looked up in /proc/net/ip{,6}_tables_names
 * (a read that changes nothing) and only when one exists is its text read with
 * `iptables-legacy-save` (which lists existing tables only). Asking for a table by name instead
 * (`-t filter`, or the getsockopt behind it) would create it, loading modules on the way.
 */
import { existsSync, realpathSync } from 'node:fs';
import { NSENTER, run } from '../exec/run.js';
import { parseTableNames } from './iptablesParse.js';

export interface FirewallTools {
  nft: string | null;
  /** iptables-save / ip6tables-save of the nft backend: the ruleset when `nft` itself is missing. */
  nftSave: { v4: string; v6: string | null } | null;
  /** iptables-legacy-save / ip6tables-legacy-save. */
  legacySave: { v4: string; v6: string | null } | null;
}

/** Legacy rules of one namespace, per family: the save tool's text, null where no table exists. */
export interface LegacyRead {
  v4: string | null;
  v6: string | null;
  /** Why tables that exist could not be read (then nothing about them is known). */
  error: string | null;
}

export const NO_LEGACY: LegacyRead = { v4: null, v6: null, error: null };

export const TABLE_NAMES = { v4: '/proc/net/ip_tables_names', v6: '/proc/net/ip6_tables_names' };

const SBIN = '/usr/sbin';

function backendOf(file: string): 'nft' | 'legacy' | null {
  if (!existsSync(file)) return null;
  try {
    return /nft/.test(realpathSync(file)) ? 'nft' : 'legacy';
  } catch {
    return null;
  }
}

const pair = (v4: string, v6: string) => (existsSync(v4) ? { v4, v6: existsSync(v6) ? v6 : null } : null);

/** The tools installed here (Debian names first, then a plain iptables-save by its backend). */
export function findFirewallTools(): FirewallTools {
  const plain = backendOf(`${SBIN}/iptables-save`);
  const plainPair = pair(`${SBIN}/iptables-save`, `${SBIN}/ip6tables-save`);
  return {
    nft: existsSync(`${SBIN}/nft`) ? `${SBIN}/nft` : null,
    nftSave:
      pair(`${SBIN}/iptables-nft-save`, `${SBIN}/ip6tables-nft-save`) ?? (plain === 'nft' ? plainPair : null),
    legacySave:
      pair(`${SBIN}/iptables-legacy-save`, `${SBIN}/ip6tables-legacy-save`) ??
      (plain === 'legacy' ? plainPair : null),
  };
}

let found: FirewallTools | null = null;
export const firewallTools = (): FirewallTools => (found ??= findFirewallTools());

/** `grep -H '' FILES` output (file:line) as table names per family (pure). */
export function parseNamesGrep(stdout: string): { v4: string[]; v6: string[] } {
  const of = (file: string) =>
    parseTableNames(
      stdout
        .split('\n')
        .filter((l) => l.startsWith(`${file}:`))
        .map((l) => l.slice(file.length + 1))
        .join('\n'),
    );
  return { v4: of(TABLE_NAMES.v4), v6: of(TABLE_NAMES.v6) };
}

/** Runs the save tool of each family that has tables, inside the namespace. */
export async function readLegacyRules(
  path: string,
  names: { v4: string[]; v6: string[] },
  tools: FirewallTools,
): Promise<LegacyRead> {
  const errors: string[] = [];
  const read = async (family: 'v4' | 'v6'): Promise<string | null> => {
    if (names[family].length === 0) return null;
    const tool = tools.legacySave?.[family] ?? null;
    const label = family === 'v4' ? 'iptables-legacy-save' : 'ip6tables-legacy-save';
    if (!tool) {
      errors.push(
        `legacy ${family === 'v4' ? 'iptables' : 'ip6tables'} tables exist (${names[family].join(', ')}) but ${label} is not installed`,
      );
      return null;
    }
    const r = await run(NSENTER, [`--net=${path}`, tool], { timeoutMs: 5000 });
    if (r.exitCode !== 0 || r.timedOut) {
      errors.push(`${label}: ${r.timedOut ? 'timed out' : r.stderr.trim() || `exit ${r.exitCode}`}`);
      return null;
    }
    return r.stdout;
  };
  const [v4, v6] = await Promise.all([read('v4'), read('v6')]);
  return { v4, v6, error: errors.length ? errors.join('; ') : null };
}
