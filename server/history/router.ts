/**
 * The history API, mounted at /api after auth: `GET /topology?at=` (plain `/topology` falls
 * through to the live model), `GET /changes?from=&to=`, `GET /history` (bounds and change density
 * for the timeline). Bad input: 400 naming the field; a moment before history: 404 saying where it
 * begins.
 */
import { hostname } from 'node:os';
import { Router } from 'express';
import type { Request, Response } from 'express';
import { historyInfoQuerySchema, parseMoment } from '../../common/history.js';
import type { ChangesResponse, HistoryInfo, Moment, TopologyAtResponse } from '../../common/history.js';
import type { HistoryQuery } from './query.js';

export interface HistoryRouterDeps {
  /** Null with --no-history. */
  query: HistoryQuery | null;
  /** Two moments the page should compare when it opens (`netns-explorer view A B`). */
  compare?: { from: string; to: string } | null;
  now?: () => number;
  /** The hostname the page puts in exported snapshots (default: this machine's). */
  host?: string;
}

const MAX_CHANGES = 2000;

function fail(res: Response, status: number, message: string): void {
  const code = status === 400 ? 'bad_request' : 'not_found';
  res.status(status).json({ error: { code, message } });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function only(req: Request, allowed: readonly string[]): string | null {
  for (const k of Object.keys(req.query)) if (!allowed.includes(k)) return `unknown parameter ${k}`;
  for (const k of allowed) {
    const v = req.query[k];
    if (v !== undefined && typeof v !== 'string') return `${k}: give it once, as text`;
  }
  return null;
}

function momentText(m: Moment): string {
  return 'seq' in m ? `seq ${m.seq}` : iso(m.time);
}

export function historyRouter(deps: HistoryRouterDeps): Router {
  const r = Router();
  const now = deps.now ?? Date.now;
  const off = (res: Response): void => fail(res, 404, 'history is off (the server runs with --no-history)');

  r.get('/topology', (req, res, next) => {
    if (req.query.at === undefined) return next();
    const bad = only(req, ['at']);
    if (bad) return fail(res, 400, bad);
    const at = parseMoment('at', req.query.at);
    if (!at.ok) return fail(res, 400, at.error);
    if (!deps.query) return off(res);
    const bounds = deps.query.bounds();
    if (!bounds) return fail(res, 404, 'nothing is recorded yet');
    const found = deps.query.modelAt(at.moment);
    if (!found) {
      return fail(
        res,
        404,
        `at: ${momentText(at.moment)} is before history begins (${iso(bounds.first.time)}, seq ${bounds.first.seq})`,
      );
    }
    const body: TopologyAtResponse = {
      ...found.topology,
      at: 'seq' in at.moment ? iso(found.time) : iso(at.moment.time),
      seq: found.seq,
      recordedAt: iso(found.time),
    };
    res.json(body);
  });

  r.get('/changes', (req, res) => {
    const bad = only(req, ['from', 'to']);
    if (bad) return fail(res, 400, bad);
    if (req.query.from === undefined)
      return fail(res, 400, 'from: required (an ISO time or a sequence number)');
    const from = parseMoment('from', req.query.from);
    if (!from.ok) return fail(res, 400, from.error);
    const to =
      req.query.to === undefined
        ? ({ ok: true, moment: { time: now() } } as const)
        : parseMoment('to', req.query.to);
    if (!to.ok) return fail(res, 400, to.error);
    if (!deps.query) return off(res);
    const found = deps.query.changes(from.moment, to.moment, MAX_CHANGES);
    const body: ChangesResponse = {
      from: momentText(from.moment),
      to: momentText(to.moment),
      changes: found.changes,
      truncated: found.truncated,
    };
    res.json(body);
  });

  r.get('/history', (req, res) => {
    const parsed = historyInfoQuerySchema.safeParse(req.query);
    if (!parsed.success) return fail(res, 400, parsed.error.issues.map((i) => i.message).join('; '));
    const bounds = deps.query?.bounds() ?? null;
    const body: HistoryInfo = {
      enabled: deps.query !== null,
      first: bounds ? { seq: bounds.first.seq, time: iso(bounds.first.time) } : null,
      last: bounds ? { seq: bounds.last.seq, time: iso(bounds.last.time) } : null,
      buckets: [],
      compare: deps.compare ?? null,
      host: deps.host ?? hostname(),
    };
    if (deps.query && bounds) {
      const range: number[] = [];
      for (const f of ['from', 'to'] as const) {
        const v = parsed.data[f];
        if (v === undefined) continue;
        const m = parseMoment(f, v);
        if (!m.ok || !('time' in m.moment)) return fail(res, 400, `${f}: expected an ISO time`);
        range.push(m.moment.time);
      }
      const from = parsed.data.from !== undefined ? range[0]! : bounds.first.time;
      const to = parsed.data.to !== undefined ? range[range.length - 1]! : Math.max(now(), bounds.last.time);
      const count = Number(parsed.data.buckets ?? '200');
      if (count < 1 || count > 2000) return fail(res, 400, 'buckets: expected a whole number 1-2000');
      if (to <= from) return fail(res, 400, 'to: must be after from');
      body.buckets = deps.query.buckets(from, to, count);
    }
    res.json(body);
  });
  return r;
}
