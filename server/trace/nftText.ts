/** A rule of `nft -j list ruleset` back in nft's own words (pure), for the hop's detail. */
type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function valueText(v: unknown): string {
  if (Array.isArray(v)) return v.map(valueText).join(',');
  if (isObj(v)) {
    if (Array.isArray(v.set)) return `{ ${v.set.map(valueText).join(', ')} }`;
    if (isObj(v.prefix)) return `${String(v.prefix.addr)}/${String(v.prefix.len)}`;
    if (Array.isArray(v.range)) return v.range.map(valueText).join('-');
    return JSON.stringify(v);
  }
  return typeof v === 'string' && !/^[\w.:/-]+$/.test(v) ? JSON.stringify(v) : String(v);
}

function exprText(e: Json): string {
  if (isObj(e.match)) {
    const l = e.match.left;
    let left = JSON.stringify(l);
    if (isObj(l) && isObj(l.payload)) left = `${String(l.payload.protocol)} ${String(l.payload.field)}`;
    else if (isObj(l) && isObj(l.meta)) left = `meta ${String(l.meta.key)}`;
    else if (isObj(l) && isObj(l.ct)) left = `ct ${String(l.ct.key)}`;
    const op = e.match.op === '==' || e.match.op === 'in' ? '' : ` ${String(e.match.op)}`;
    return `${left}${op} ${valueText(e.match.right)}`;
  }
  const stmt = Object.keys(e)[0] ?? '';
  if (stmt === 'counter') return '';
  if (stmt === 'jump' || stmt === 'goto') return `${stmt} ${String((e[stmt] as Json | null)?.target ?? '')}`;
  return stmt;
}

export function ruleText(rule: Json[]): string {
  return rule.map(exprText).filter(Boolean).join(' ');
}
