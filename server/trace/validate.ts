/**
 * Checks a trace request before anything runs: the body's shape (zod, shared with the page), the
 * address, the namespace, and whether a probe is allowed. Every refusal names the field.
 */
import { traceRequestSchema } from '../../common/trace.js';
import type { TraceRequest } from '../../common/trace.js';
import type { Topology } from '../../common/model.js';
import { ActionError, badRequest } from '../actions/errors.js';
import { parseAddr, parseBody } from '../actions/validate.js';

export interface ParsedTarget {
  family: 4 | 6;
  /** Canonical text. */
  addr: string;
  /** The packet arrives on this interface of `from` from this source (canonical), or null. */
  enter: { interface: string; source: string } | null;
}

export interface TracePolicy {
  readOnly: boolean;
  allowProbe: boolean;
}

export function validateTrace(
  body: unknown,
  topology: Topology,
  policy: TracePolicy,
): { req: TraceRequest; target: ParsedTarget } {
  const req = parseBody(traceRequestSchema, body);
  const a = parseAddr(req.to, 'to');
  if (!topology.namespaces.some((n) => n.id === req.from))
    throw badRequest(`from: no namespace ${req.from}`, 'from');
  if (req.probe && policy.readOnly && !policy.allowProbe)
    throw new ActionError(
      403,
      'read_only',
      'probe: the server is read-only; a probe sends real traffic and needs --allow-probe',
      'probe',
    );
  let enter: ParsedTarget['enter'] = null;
  if (req.enter) {
    const i = topology.interfaces.find((x) => x.id === req.enter!.interface);
    if (!i || i.namespace !== req.from)
      throw badRequest(
        `enter.interface: no interface ${req.enter.interface} in ${req.from}`,
        'enter.interface',
      );
    const src = parseAddr(req.enter.source, 'enter.source');
    if (src.family !== a.family)
      throw badRequest(`enter.source: IPv${src.family}, but to is IPv${a.family}`, 'enter.source');
    enter = { interface: i.id, source: src.addr };
  }
  return { req, target: { family: a.family, addr: a.addr, enter } };
}
