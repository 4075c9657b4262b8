import type { LiveDiscovery } from './schedulerTypes.js';

/**
 * Discovery calls one at a time (refreshes and nsid assignment share discovery's helper state),
 * each bounded by a watchdog: a call that hangs is abandoned with an error so the queue and the
 * server keep going. listInodes (a stat scan) stays concurrent.
 */
export function serialized(d: LiveDiscovery, watchdogMs = 60_000): LiveDiscovery {
  let chain: Promise<unknown> = Promise.resolve();
  const queue = <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(
      () =>
        new Promise<T>((resolve, reject) => {
          const t = setTimeout(
            () => reject(new Error(`discovery ${what} took over ${watchdogMs} ms`)),
            watchdogMs,
          );
          fn()
            .then(resolve, reject)
            .finally(() => clearTimeout(t));
        }),
    );
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    full: (progress) => queue('full', () => d.full(progress)),
    refresh: (inodes, opts) => {
      const list = [...inodes];
      return queue('refresh', () => d.refresh(list, opts));
    },
    ensureHostNsids: (inodes) => {
      const list = inodes ? [...inodes] : undefined;
      return queue('ensureHostNsids', () => d.ensureHostNsids(list));
    },
    listInodes: () => d.listInodes(),
    ...(d.listIdentities ? { listIdentities: d.listIdentities.bind(d) } : {}),
    // Synchronous (it only drops cached answers): not queued.
    ...(d.invalidateRuntimes ? { invalidateRuntimes: d.invalidateRuntimes.bind(d) } : {}),
  };
}
