/**
 * The fuzz properties, shared by the CI test (bounded) and the bench (long run): every generated
 * HTTP request gets an answer below 500, a refused one spawns nothing; every generated WebSocket
 * frame is handled or closes only its connection with 1003/1007/1008/1009; the server keeps
 * answering /api/health.
 */
import fc from 'fast-check';
import { httpRequest, wsFrame } from './arbitraries.js';
import type { FuzzTarget } from './target.js';

/** How a bad frame may end its connection: binary, invalid JSON, unknown message, too big. */
export const ALLOWED_CLOSE_CODES = new Set([1003, 1007, 1008, 1009]);

export interface FuzzBudget {
  httpRuns: number;
  wsRuns: number;
  /** Stops a property early (counted as passed so far) so CI time stays bounded. */
  timeLimitMs: number;
  seed?: number;
  /** A capture's live path (FuzzTarget.startCapture): its socket gets `wsRuns` frames too. */
  capturePath?: string;
}

export interface FuzzReport {
  httpSent: number;
  wsSent: number;
  captureWsSent: number;
  statuses: Record<string, number>;
  closeCodes: Record<string, number>;
}

export async function healthOk(t: FuzzTarget): Promise<boolean> {
  const r = await t.http({
    method: 'GET',
    path: '/api/health',
    credential: 'none',
    origin: 'none',
    host: 'own',
    contentType: null,
    extraHeaders: [],
    body: null,
  });
  return r.status === 200;
}

const bump = (m: Record<string, number>, k: string | number) => (m[String(k)] = (m[String(k)] ?? 0) + 1);

export async function fuzzLive(t: FuzzTarget, budget: FuzzBudget): Promise<FuzzReport> {
  const report: FuzzReport = { httpSent: 0, wsSent: 0, captureWsSent: 0, statuses: {}, closeCodes: {} };
  const params = (numRuns: number) => ({
    numRuns,
    interruptAfterTimeLimit: budget.timeLimitMs,
    ...(budget.seed !== undefined ? { seed: budget.seed } : {}),
    // Shrinking replays against the live server; the first counterexample is explicit enough.
    endOnFailure: true,
  });

  await fc.assert(
    fc.asyncProperty(httpRequest, async (r) => {
      const before = t.spawned.length;
      const res = await t.http(r);
      report.httpSent++;
      bump(report.statuses, res.status);
      if (res.status >= 500) throw new Error(`${res.status} for ${r.method} ${r.path}:\n${res.head}`);
      const spawned = t.spawned.slice(before);
      if (res.status >= 400 && spawned.length > 0)
        throw new Error(`refused ${r.method} ${r.path} (${res.status}) spawned ${JSON.stringify(spawned)}`);
      if (report.httpSent % 250 === 0 && !(await healthOk(t)))
        throw new Error('/api/health stopped answering');
    }),
    params(budget.httpRuns),
  );

  const frames = async (path: string | undefined, count: () => number) =>
    fc.assert(
      fc.asyncProperty(wsFrame, async (f) => {
        const before = t.spawned.length;
        const { closeCode } = await t.ws(f, path);
        bump(report.closeCodes, closeCode ?? 'open');
        if (closeCode !== null && !ALLOWED_CLOSE_CODES.has(closeCode))
          throw new Error(
            `frame ${JSON.stringify(f).slice(0, 200)} on ${path ?? '/api/live'} closed the connection with ${closeCode}`,
          );
        if (t.spawned.length > before)
          throw new Error(`a frame spawned ${JSON.stringify(t.spawned.slice(before))}`);
        if (count() % 250 === 0 && !(await healthOk(t))) throw new Error('/api/health stopped answering');
      }),
      params(budget.wsRuns),
    );
  await frames(undefined, () => ++report.wsSent);
  if (budget.capturePath) await frames(budget.capturePath, () => ++report.captureWsSent);
  return report;
}
