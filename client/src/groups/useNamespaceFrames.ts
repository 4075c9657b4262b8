/**
 * The frames around the namespace boxes of the picture that share a label (a group, a node), in
 * flow coordinates, recomputed when the boxes move.
 */
import { useMemo } from 'react';
import type { Namespace } from '../../../common/model.js';
import { isNamespaceNode } from '../graph/types.js';
import { usePicture } from '../picture/picture.js';
import type { GroupFrame } from './groupView.js';
import { FRAME_PAD, groupFrames } from './groupView.js';

export function useNamespaceFrames(labelOf: (ns: Namespace) => string | null, pad = FRAME_PAD): GroupFrame[] {
  const nodes = usePicture((s) => s.nodes);
  return useMemo(
    () =>
      groupFrames(
        nodes.filter(isNamespaceNode).map((n) => ({
          x: n.position.x,
          y: n.position.y,
          w: n.width ?? 0,
          h: n.height ?? 0,
          group: labelOf(n.data.ns),
        })),
        pad,
      ),
    [nodes, labelOf, pad],
  );
}
