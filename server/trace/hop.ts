/** Builds one hop of a trace. */
import type { Interface } from '../../common/model.js';
import type { TraceHop } from '../../common/trace.js';

export function hop(
  namespace: string,
  inIf: Interface | null,
  outIf: Interface | null,
  action: TraceHop['action'],
  detail: string,
  command: string,
  ok: boolean,
  reason: string | null,
  unknown = false,
): TraceHop {
  const h: TraceHop = {
    namespace,
    in: inIf?.id ?? null,
    out: outIf?.id ?? null,
    action,
    detail,
    command,
    ok,
    reason,
  };
  if (unknown) h.unknown = true;
  return h;
}
