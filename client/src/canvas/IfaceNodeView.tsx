/**
 * An interface inside its namespace box (child node); bridges get their own look, and light up
 * while an interface is dragged over them (green: dropping attaches; red: refused).
 */
import { memo } from 'react';
import { Handle, Position } from '@xyflow/react';
import type { NodeProps } from '@xyflow/react';
import type { Interface } from '../../../common/model.js';
import { ADDR_LINES_MAX } from '../graph/spacing.js';
import type { IfaceNode } from '../graph/types.js';
import { canvasAddresses, danglingReason, isUp } from '../model/interface.js';
import { useInteraction } from '../ui/interaction.js';
import { useFar } from './lod.js';
import { CaptureBadge } from '../capture/CapturePanel.js';

/** One hidden handle: edges are drawn floating, but React Flow needs an anchor. */
const portHandle = (
  <Handle type="source" id="port" position={Position.Top} isConnectable={false} className="port-handle" />
);

function Body({ iface, bridgeName }: { iface: Interface; bridgeName: string | null }) {
  if (useFar()) return portHandle;
  const addrs = canvasAddresses(iface);
  const shown = addrs.slice(0, ADDR_LINES_MAX);
  const up = isUp(iface);
  const dangling = danglingReason(iface);
  return (
    <>
      <div className="if-head">
        <span className={`state-dot ${up ? 'up' : 'down'}`} title={`state ${iface.state}`} />
        <span className="if-name" data-testid="if-name" title={iface.name}>
          {iface.name}
        </span>
        <span className="if-kind">{iface.kind}</span>
        <span className={`if-state ${up ? 'up' : 'down'}`} data-testid="if-state" title={iface.state}>
          {iface.state}
        </span>
      </div>
      <div className="if-addrs">
        {shown.map((a) => (
          <div key={a.cidr} className="if-addr" data-testid="if-addr">
            {a.cidr}
          </div>
        ))}
        {addrs.length > shown.length && <div className="muted">+{addrs.length - shown.length} more</div>}
        {addrs.length === 0 && bridgeName && <div className="muted">port of {bridgeName}</div>}
        {addrs.length === 0 && !bridgeName && <div className="muted">{iface.mac ?? 'no address'}</div>}
      </div>
      {dangling && (
        <span className="dangling" data-testid="dangling" title={dangling}>
          ⟂
        </span>
      )}
      {portHandle}
    </>
  );
}

export const IfaceNodeView = memo(function IfaceNodeView({ data, selected }: NodeProps<IfaceNode>) {
  const up = isUp(data.iface);
  return (
    <div
      className={`if-box ${up ? 'is-up' : 'is-down'}${selected ? ' is-selected' : ''}`}
      data-testid="if-box"
      data-state={up ? 'up' : 'down'}
    >
      <Body iface={data.iface} bridgeName={data.bridgeName} />
      <CaptureBadge ifaceId={data.iface.id} />
    </div>
  );
});

export const BridgeNodeView = memo(function BridgeNodeView({ id, data, selected }: NodeProps<IfaceNode>) {
  const up = isUp(data.iface);
  // A string selector: only the bridge under the pointer re-renders during a drag.
  const drop = useInteraction((s) => (s.dropOver?.id === id ? (s.dropOver.ok ? 'ok' : 'refused') : null));
  return (
    <div
      className={`if-box bridge-box ${up ? 'is-up' : 'is-down'}${selected ? ' is-selected' : ''}${
        drop ? ` drop-${drop}` : ''
      }`}
      data-testid="bridge-box"
      data-state={up ? 'up' : 'down'}
      {...(drop ? { 'data-drop': drop } : {})}
    >
      <div className="bridge-rail" aria-hidden="true" />
      <Body iface={data.iface} bridgeName={null} />
      <CaptureBadge ifaceId={data.iface.id} />
    </div>
  );
});
