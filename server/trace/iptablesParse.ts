/**
 * `iptables-save` / `ip6tables-save` text (legacy or nft backend, both print the same format)
 * as tables, chains and rules (pure). A rule keeps its words in order, grouped the way iptables
 * reads them: the general matches (-s -d -p -i -o -f), each `-m MODULE` with its options, and the
 * target (-j or -g) with its options. Nothing is decided here (iptables.ts does that).
 */

export interface IptOption {
  /** `!` came before it. */
  negated: boolean;
  /** The option as written, `--dport`, `-s`. */
  name: string;
  values: string[];
}

export interface IptMatchModule {
  name: string;
  options: IptOption[];
}

export interface IptRule {
  /** The rule as iptables-save printed it, without `-A CHAIN`. */
  text: string;
  /** -s -d -p -i -o -f (in the order written). */
  general: IptOption[];
  modules: IptMatchModule[];
  /** -j TARGET or -g CHAIN; null for a rule without one (it only counts). */
  target: { name: string; goto: boolean; options: IptOption[] } | null;
  /** A word that fits nowhere (the rule is then never decided). */
  unparsed: string | null;
}

export interface IptChain {
  name: string;
  /** ACCEPT or DROP for a built-in chain, null for a user chain. */
  policy: string | null;
  rules: IptRule[];
}

export interface IptTable {
  name: string;
  chains: Map<string, IptChain>;
}

/** Splits a line into words; double quotes group (iptables-save quotes comments), `\` escapes. */
export function words(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (c === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (!quoted && /\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

const GENERAL: Record<string, string> = {
  '-s': '-s',
  '--source': '-s',
  '--src': '-s',
  '-d': '-d',
  '--destination': '-d',
  '--dst': '-d',
  '-p': '-p',
  '--protocol': '-p',
  '-i': '-i',
  '--in-interface': '-i',
  '-o': '-o',
  '--out-interface': '-o',
  '-f': '-f',
  '--fragment': '-f',
};

const isOption = (w: string) => w.startsWith('-') && w.length > 1 && !/^-\d/.test(w);

/** Parses the words of one rule after `-A CHAIN`. */
export function parseRule(ws: string[]): IptRule {
  const rule: IptRule = { text: ws.join(' '), general: [], modules: [], target: null, unparsed: null };
  let negated = false;
  let i = 0;
  // Values of an option: the words up to the next option or `!`.
  const values = (): string[] => {
    const v: string[] = [];
    while (i < ws.length && ws[i] !== '!' && !isOption(ws[i]!)) v.push(ws[i++]!);
    return v;
  };
  let options: IptOption[] | null = null;
  while (i < ws.length) {
    const w = ws[i++]!;
    if (w === '!') {
      negated = true;
      continue;
    }
    if (w === '-m' || w === '--match') {
      const m: IptMatchModule = { name: ws[i++] ?? '', options: [] };
      rule.modules.push(m);
      options = m.options;
    } else if (w === '-j' || w === '--jump' || w === '-g' || w === '--goto') {
      rule.target = { name: ws[i++] ?? '', goto: w === '-g' || w === '--goto', options: [] };
      options = rule.target.options;
    } else if (GENERAL[w] && !rule.target) {
      // General matches may come anywhere before the target (iptables-save prints them first).
      rule.general.push({
        negated,
        name: GENERAL[w],
        values: w === '-f' || w === '--fragment' ? [] : values(),
      });
    } else if (w === '-c' && options === null) {
      values(); // counters `-c PKTS BYTES`: not a match
    } else if (isOption(w) && options) {
      options.push({ negated, name: w, values: values() });
    } else {
      rule.unparsed ??= w;
    }
    negated = false;
  }
  return rule;
}

/** Every table of one iptables-save output, chains in the order printed. */
export function parseIptablesSave(text: string): IptTable[] {
  const tables: IptTable[] = [];
  let table: IptTable | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) {
      table = { name: line.slice(1), chains: new Map() };
      tables.push(table);
    } else if (!table || line === '' || line.startsWith('#') || line === 'COMMIT') {
      continue;
    } else if (line.startsWith(':')) {
      const [name = '', policy = '-'] = line.slice(1).split(/\s+/);
      table.chains.set(name, { name, policy: policy === '-' ? null : policy, rules: [] });
    } else if (line.startsWith('-A ') || line.startsWith('[')) {
      // `[pkts:bytes] -A CHAIN ...` with counters (iptables-save -c).
      const ws = words(line.replace(/^\[\d+:\d+\]\s*/, ''));
      const chainName = ws[1] ?? '';
      let chain = table.chains.get(chainName);
      if (!chain) {
        chain = { name: chainName, policy: null, rules: [] };
        table.chains.set(chainName, chain);
      }
      chain.rules.push(parseRule(ws.slice(2)));
    }
  }
  return tables;
}

/** Names of the x_tables tables that exist, from /proc/net/ip{,6}_tables_names (pure). */
export function parseTableNames(text: string | null): string[] {
  return (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[a-z0-9_]+$/.test(l));
}
