/**
 * Packet capture across the hub, the pure part: a browser's capture request names host-qualified
 * interfaces (all on one node), the agent's answers and live messages name its own ids and its
 * own capture id. Requests are localised and checked with the single-host schema (same limits,
 * same 400 naming the field); answers get the hub's capture id, qualified interface ids (also
 * the keys of `perInterface` and each summary's `iface`, which the generic idTranslate walk does
 * not touch) and labels that name the node.
 */
import { CaptureRequestSchema } from '../../common/capture.js';
import type {
  CaptureCounters,
  CaptureInfo,
  CaptureRequest,
  CaptureServerMessage,
  PacketSummary,
} from '../../common/capture.js';
import { parseQualifiedId, qualifiedId } from '../../common/ids.js';

export type LocalisedCapture =
  { ok: true; host: string; request: CaptureRequest } | { ok: false; field: string; message: string };

/** The hub's body check: qualified ids of one node, then the single-host schema on local ids. */
export function localiseCaptureRequest(body: unknown): LocalisedCapture {
  const raw = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
  const ifaces = (raw as { interfaces?: unknown }).interfaces;
  let host: string | null = null;
  let local: unknown = ifaces;
  if (Array.isArray(ifaces)) {
    const ids: unknown[] = [];
    for (const [i, id] of ifaces.entries()) {
      const field = `interfaces.${i}`;
      const q = typeof id === 'string' ? parseQualifiedId(id) : null;
      if (q === null)
        return {
          ok: false,
          field,
          message: `${field}: must be a host-qualified interface id (<node>/if-...)`,
        };
      if (host !== null && q.host !== host)
        return {
          ok: false,
          field,
          message: `${field}: names node ${q.host}, but a capture runs on one node (${host})`,
        };
      host = q.host;
      ids.push(q.local);
    }
    local = ids;
  }
  const parsed = CaptureRequestSchema.safeParse({ ...raw, interfaces: local });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'body';
    return { ok: false, field, message: `${field}: ${issue.message}` };
  }
  if (host === null) return { ok: false, field: 'interfaces', message: 'interfaces: at least one interface' };
  return { ok: true, host, request: parsed.data };
}

export function qualifyCounters(host: string, c: CaptureCounters, notShownHere = 0): CaptureCounters {
  const perInterface: Record<string, number> = {};
  for (const [id, n] of Object.entries(c.perInterface)) perInterface[qualifiedId(host, id)] = n;
  return { ...c, notShown: c.notShown + notShownHere, perInterface };
}

/** The agent's capture as the hub's browsers see it: the hub's id, qualified ids, node in labels. */
export function qualifyCapture(
  host: string,
  hubId: string,
  info: CaptureInfo,
  notShownHere = 0,
): CaptureInfo {
  return {
    ...info,
    id: hubId,
    interfaces: info.interfaces.map((i) => ({
      id: qualifiedId(host, i.id),
      namespace: qualifiedId(host, i.namespace),
      name: i.name,
      label: `${host}/${i.label}`,
    })),
    counters: qualifyCounters(host, info.counters, notShownHere),
  };
}

function qualifyPacket(host: string, p: PacketSummary): PacketSummary {
  return { ...p, iface: qualifiedId(host, p.iface) };
}

export function qualifyCaptureMessage(
  host: string,
  hubId: string,
  msg: CaptureServerMessage,
  notShownHere = 0,
): CaptureServerMessage {
  switch (msg.type) {
    case 'hello':
    case 'ended':
      return { type: msg.type, capture: qualifyCapture(host, hubId, msg.capture, notShownHere) };
    case 'packets':
      return {
        type: 'packets',
        packets: msg.packets.map((p) => qualifyPacket(host, p)),
        counters: qualifyCounters(host, msg.counters, notShownHere),
      };
    case 'counters':
      return { type: 'counters', counters: qualifyCounters(host, msg.counters, notShownHere) };
  }
}

/** An agent's live message, checked for the shape the hub relies on (the agent is trusted, a bug is not). */
export function parseCaptureMessage(text: string): CaptureServerMessage | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object') return null;
  const m = v as { type?: unknown; capture?: unknown; packets?: unknown; counters?: unknown };
  const isObj = (x: unknown): boolean => x !== null && typeof x === 'object';
  if ((m.type === 'hello' || m.type === 'ended') && isObj(m.capture)) return v as CaptureServerMessage;
  if (m.type === 'packets' && Array.isArray(m.packets) && isObj(m.counters)) return v as CaptureServerMessage;
  if (m.type === 'counters' && isObj(m.counters)) return v as CaptureServerMessage;
  return null;
}
