/** What crash recovery (recovery.ts, recoveryIntents.ts) found and did, device by device. */
export interface RecoveredDevice {
  namespace: string;
  name: string;
  op: string;
}

export interface RecoveryReport {
  /** Set when nothing was examined, and why (no journal). */
  skipped?: string;
  deleted: RecoveredDevice[];
  kept: Array<RecoveredDevice & { reason: string }>;
  failed: Array<RecoveredDevice & { error: string }>;
  /**
   * Left by a crashed op but not provably ours, so reported and never deleted: an untagged device
   * with an intent's name but another MAC (or an alias set since, or an intent written before
   * MACs were recorded), or the named namespace of a crashed `ip netns add` (`namespace` is its id).
   * Untagged devices whose name, namespace and MAC match the intent are deleted instead.
   */
  suspects: RecoveredDevice[];
  /** Unfinished intents closed as `recovered`. */
  closedIntents: string[];
}
