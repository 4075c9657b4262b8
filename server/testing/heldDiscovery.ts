/**
 * The native discovery with its full reads held until `release()`: a test can look at the live
 * server while its first read has not begun (health, 503 `starting`, progress to clients), then
 * let the real read run. Not imported by production code.
 */
import { createNativeDiscovery } from '../native/discovery.js';
import { ReaderFailure } from '../native/nativeReads.js';
import type { LiveDiscovery } from '../refresh/schedulerTypes.js';

export interface HeldDiscovery {
  discovery: LiveDiscovery;
  /** Lets every full read (the one waiting and all later ones) run. */
  release(): void;
  /** Full reads asked for so far. */
  fulls(): number;
}

/** `failFirst`: the first full read fails the way our own reader failing does (it is retried). */
export function heldDiscovery(failFirst = false): HeldDiscovery {
  const inner = createNativeDiscovery();
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  let fulls = 0;
  const discovery: LiveDiscovery = {
    ...inner,
    listIdentities: () => inner.listIdentities(),
    async full(progress) {
      fulls++;
      await gate;
      if (failFirst && fulls === 1) throw new ReaderFailure('native reader failed: test');
      return inner.full(progress);
    },
  };
  return { discovery, release: () => release(), fulls: () => fulls };
}
