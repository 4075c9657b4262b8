/**
 * The history flags of `netns-explorer serve`, taken out of the argument list before the serve
 * options are parsed (pure: every refusal is unit-testable).
 */
export const DEFAULT_HISTORY_DIR = '/var/lib/netns-explorer/history';
export const DEFAULT_HISTORY_BYTES = 200 * 1024 * 1024;
/** Below this a single checkpoint of a big host would not fit. */
const MIN_HISTORY_BYTES = 1024 * 1024;

export interface HistoryOptions {
  /** Null with --no-history. */
  dir: string | null;
  maxBytes: number;
}

export const HISTORY_USAGE =
  '                      [--history DIR] [--history-size SIZE] [--no-history]\n' +
  `History of every change is kept in DIR (default ${DEFAULT_HISTORY_DIR}), at most SIZE\n` +
  '(bytes, or with K/M/G; default 200M; the oldest changes are dropped first).\n';

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** `200M`, `1G`, `500000`, `200MB`: bytes, or null when it is not a size. */
export function parseSize(text: string): number | null {
  const m = /^(\d{1,7})\s*([KMG]?)i?B?$/i.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * UNITS[m[2]!.toUpperCase()]!;
}

export function extractHistoryArgs(
  argv: readonly string[],
): { ok: true; options: HistoryOptions; rest: string[] } | { ok: false; error: string } {
  const rest: string[] = [];
  let dir: string | null = DEFAULT_HISTORY_DIR;
  let off = false;
  let sizeText: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.indexOf('=');
    const name = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    if (name === '--history' || name === '--history-size') {
      const value = eq > 0 ? raw.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') return { ok: false, error: `${name} needs a value` };
      if (name === '--history') {
        if (!value.startsWith('/'))
          return { ok: false, error: `--history must be an absolute path, got ${JSON.stringify(value)}` };
        dir = value;
      } else sizeText = value;
    } else if (raw === '--no-history') off = true;
    else rest.push(raw);
  }
  let maxBytes = DEFAULT_HISTORY_BYTES;
  if (sizeText !== null) {
    const size = parseSize(sizeText);
    if (size === null || size < MIN_HISTORY_BYTES) {
      return {
        ok: false,
        error: `--history-size must be a size of at least 1M (e.g. 200M), got ${JSON.stringify(sizeText)}`,
      };
    }
    maxBytes = size;
  }
  return { ok: true, options: { dir: off ? null : dir, maxBytes }, rest };
}
