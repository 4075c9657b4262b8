/**
 * The live server's first full read, run after it listens: progress goes to the page (the hub
 * sends it to clients waiting for their first snapshot) and to the 503 answers of the API; a read
 * that fails (a namespace vanishing at the wrong moment, our own reader failing, the watchdog)
 * is retried, and nothing of it is published.
 */
import type { ProgressMessage } from '../../common/protocol.js';
import type { LiveDiscovery, LiveDiscoveryResult } from '../refresh/schedulerTypes.js';

export interface StartupProgress {
  /** One line for the API's 503 answers while the first read runs; null once it is done. */
  text(): string | null;
}

export interface FirstReadOptions {
  attempts?: number;
  retryMs?: number;
  log(line: string): void;
  /** Each progress step (the hub forwards it to waiting clients). */
  progress(msg: ProgressMessage): void;
}

/** What the API answers while the first read runs (pure). */
export function progressText(p: ProgressMessage | null): string {
  if (!p || p.total === 0) return 'finding namespaces';
  const retry = p.attempt > 1 ? ` (attempt ${p.attempt})` : '';
  return `reading namespaces ${p.done} of ${p.total}${retry}`;
}

export function firstRead(
  discovery: LiveDiscovery,
  opts: FirstReadOptions,
): { result: Promise<LiveDiscoveryResult>; status: StartupProgress } {
  let last: ProgressMessage | null = null;
  let done = false;
  const report = (msg: ProgressMessage): void => {
    last = msg;
    opts.progress(msg);
  };
  const attempts = opts.attempts ?? 3;
  const run = async (): Promise<LiveDiscoveryResult> => {
    for (let attempt = 1; ; attempt++) {
      report({ type: 'progress', done: 0, total: last?.total ?? 0, attempt });
      try {
        const r = await discovery.full((n, total) => report({ type: 'progress', done: n, total, attempt }));
        done = true;
        return r;
      } catch (e) {
        if (attempt >= attempts) throw e;
        opts.log(`first discovery failed (${e instanceof Error ? e.message : String(e)}); retrying`);
        await new Promise((r) => setTimeout(r, opts.retryMs ?? 500));
      }
    }
  };
  return { result: run(), status: { text: () => (done ? null : progressText(last)) } };
}
