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
  return { req, target: { family: a.family, addr: a.addr } };
}
