/** Which drawn things a delta touched (routes count for their namespace box). Pure. */
import type { DeltaOp } from '../../../common/protocol.js';

export function changedDrawIds(ops: readonly DeltaOp[]): string[] {
  const ids = new Set<string>();
  for (const o of ops) {
    if (o.op === 'put') ids.add(o.entity === 'route' ? o.value.namespace : o.value.id);
    else if (o.entity === 'route') {
      const m = /^rt-(\d+):/.exec(o.id);
      if (m) ids.add(`ns-${m[1]}`);
    } else ids.add(o.id);
  }
  return [...ids];
}
