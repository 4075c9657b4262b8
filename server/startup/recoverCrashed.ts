import { recoverOrphans } from '../actions/recovery.js';
import type { ModelAccess } from '../modelAccess.js';

/**
 * Removes devices left by a veth creation that a crashed server never finished (tagged, never
 * committed). Safe beside live requests: ops of this running process are never touched.
 */
export async function recoverCrashedOps(
  auditLogPath: string,
  model: ModelAccess,
  log: (line: string) => void,
): Promise<void> {
  try {
    const report = await recoverOrphans({ auditLogPath, ...model });
    for (const d of report.deleted) log(`recovery: removed ${d.name} in ${d.namespace} (crashed op ${d.op})`);
    for (const d of report.suspects)
      log(
        `recovery: ${d.name} in ${d.namespace} may be left by crashed op ${d.op} (nothing proves it ours: not removed)`,
      );
    for (const d of report.failed) log(`recovery: could not remove ${d.name} in ${d.namespace}: ${d.error}`);
  } catch (e) {
    log(`recovery failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
