/** Which drawn things a delta touched (routes count for their namespace box). Pure. */
import { namespaceOfRoute } from '../../../common/ids.js';
import type { DeltaOp } from '../../../common/protocol.js';

export function changedDrawIds(ops: readonly DeltaOp[]): string[] {
  const ids = new Set<string>();
  for (const o of ops) {
    if (o.op === 'put') ids.add(o.entity === 'route' ? o.value.namespace : o.value.id);
    else if (o.entity === 'route') {
      const ns = namespaceOfRoute(o.id);
      if (ns) ids.add(ns);
    } else ids.add(o.id);
  }
  return [...ids];
}
