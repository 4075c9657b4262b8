/**
 * Ids across the hub: a browser names entities host-qualified (`node-b/ns-4026532001`), the agent
 * of that node knows them unqualified. Requests are localised (every id must name the same node),
 * answers qualified back. Only fields that hold model ids are touched (by key), so a name that
 * merely looks like an id (an interface called `ns-1`) is left alone. Pure; ids are built and read
 * by common/ids.ts only.
 */
import { isLocalModelId, parseQualifiedId, qualifiedId } from '../../common/ids.js';

/** Keys whose string values (or arrays of strings) are model ids, in requests and in answers. */
const ID_KEYS = new Set([
  'id',
  'namespace',
  'interface',
  'link',
  'bridge',
  'deleted',
  'from',
  'in',
  'out',
  'namespaces',
  'a',
  'b',
  'peer',
  'master',
  'lower',
]);

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type Localised =
  { ok: true; host: string | null; value: Json } | { ok: false; field: string; message: string };

class IdError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Removes the host from every id in a request. `host` is the node already known (from the path),
 * or null; every id must name that same node. Answers the node and the localised value.
 */
export function localiseRequest(value: Json, host: string | null, path = ''): Localised {
  const seen = { host };
  try {
    const out = walk(value, path, false, (id, field) => {
      const q = parseQualifiedId(id);
      if (q === null) throw new IdError(field, `${field}: must be a host-qualified id (<node>/${id})`);
      if (seen.host !== null && q.host !== seen.host)
        throw new IdError(field, `${field}: names node ${q.host}, but the request is for node ${seen.host}`);
      seen.host = q.host;
      return q.local;
    });
    return { ok: true, host: seen.host, value: out };
  } catch (e) {
    if (e instanceof IdError) return { ok: false, field: e.field, message: e.message };
    throw e;
  }
}

/** Qualifies every model id in an agent's answer with its node's host name. */
export function qualifyAnswer(host: string, value: Json): Json {
  return walk(value, '', false, (id) => (isLocalModelId(id) ? qualifiedId(host, id) : id));
}

/** A host-qualified path parameter's node and local id, or an error naming it. */
export function localiseParam(text: string, field: string): Localised {
  const q = parseQualifiedId(text);
  if (q === null)
    return { ok: false, field, message: `${field}: must be a host-qualified id (<node>/${text})` };
  return { ok: true, host: q.host, value: q.local };
}

function walk(v: Json, path: string, isId: boolean, map: (id: string, field: string) => string): Json {
  if (typeof v === 'string') return isId ? map(v, path) : v;
  if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`, isId, map));
  if (v !== null && typeof v === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, path ? `${path}.${k}` : k, ID_KEYS.has(k), map);
    return out;
  }
  return v;
}
