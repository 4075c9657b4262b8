/** A namespace box (React Flow parent node): name, kind, containers, sharing, a new-veth handle. */
import { memo } from 'react';
import { Handle, Position } from '@xyflow/react';
import type { NodeProps } from '@xyflow/react';
import type { NamespaceNode } from '../graph/types.js';
import { KIND_LABEL, containerLabel, mainContainer, sharingText } from '../model/namespace.js';
import { useFar } from './lod.js';
import { containersText, namespaceGroups } from '../model/groups.js';
import { GroupTags } from '../groups/GroupTag.js';

export const NamespaceNodeView = memo(function NamespaceNodeView({
  data,
  selected,
}: NodeProps<NamespaceNode>) {
  const { ns, ifaceCount } = data;
  const far = useFar();
  const container = mainContainer(ns);
  const shared = sharingText(ns);
  const members = containersText(ns);
  const groups = namespaceGroups(ns);
  return (
    <div
      className={`ns-box ns-${ns.kind}${selected ? ' is-selected' : ''}${ns.error ? ' has-error' : ''}`}
      data-testid="ns-box"
      data-kind={ns.kind}
    >
      <div className="ns-header">
        <div className="ns-title">
          <span className={`kind-badge kind-${ns.kind}`}>{KIND_LABEL[ns.kind]}</span>
          <span className="ns-name" data-testid="ns-name" title={ns.name}>
            {ns.name}
          </span>
        </div>
        {!far && (
          <div className="ns-sub">
            {members ? (
              <span data-testid="ns-container">{members}</span>
            ) : container ? (
              <span data-testid="ns-container" title={container.id}>
                {container.runtime}: {containerLabel(container)}
                {container.image ? ` · ${container.image}` : ''}
              </span>
            ) : (
              <span className="muted">
                netns {ns.inode} · {ifaceCount} if
              </span>
            )}
            <GroupTags groups={groups} />
            {shared && (
              <span className="shared" data-testid="ns-shared">
                {shared}
              </span>
            )}
            {ns.error && (
              <span className="ns-error" title={ns.error}>
                ⚠ unreadable
              </span>
            )}
          </div>
        )}
      </div>
      <Handle
        type="source"
        id="new-veth"
        position={Position.Right}
        className="new-veth-handle"
        title="Drag to another namespace to create a veth pair"
      />
    </div>
  );
});
