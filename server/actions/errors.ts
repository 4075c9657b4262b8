/**
 * Action errors: every failure a user can cause becomes a 4xx with a code, a message and the
 * field at fault; only our own bugs become 500.
 */
import type { RunResult } from '../exec/run.js';

export class ActionError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Extra keys merged into the response body (e.g. rolledBack, residue). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ActionError';
  }

  toBody(): Record<string, unknown> {
    const error: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.field !== undefined) error.field = this.field;
    return { error, ...this.extra };
  }
}

export const badRequest = (message: string, field?: string) =>
  new ActionError(400, 'invalid', message, field);
export const notFound = (message: string, field?: string) =>
  new ActionError(404, 'not_found', message, field);
export const conflict = (message: string, field?: string) => new ActionError(409, 'conflict', message, field);
export const forbidden = (code: string, message: string, field?: string) =>
  new ActionError(403, code, message, field);
export const unprocessable = (message: string, field?: string) =>
  new ActionError(422, 'unprocessable', message, field);

/**
 * Maps a failed `ip` run onto an HTTP error. iproute2 exits 255 for usage errors and vanished
 * namespaces, 1 for "Cannot find device", 2 for "RTNETLINK answers: ..." (kernel errno).
 */
export function ipFailure(r: RunResult, what: string, field?: string): ActionError {
  const msg = (r.stderr.trim().split('\n').pop() ?? '').replace(/^RTNETLINK answers:\s*/, '').trim();
  const text = `${what}: ${msg || `ip exited ${r.exitCode}`}`;
  if (r.timedOut) return new ActionError(504, 'timeout', `${what}: ip timed out`, field);
  if (/Cannot open network namespace|No such file or directory/i.test(msg))
    return new ActionError(404, 'namespace_gone', text, field);
  if (/File exists|already exists/i.test(msg)) return new ActionError(409, 'exists', text, field);
  if (/Device or resource busy|Resource busy/i.test(msg)) return new ActionError(409, 'busy', text, field);
  if (/Cannot find device|does not exist|No such device|No such process|Cannot assign/i.test(msg))
    return new ActionError(404, 'not_found', text, field);
  return new ActionError(422, 'ip_failed', text, field);
}
