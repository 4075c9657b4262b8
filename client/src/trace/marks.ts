/**
 * Where a trace shows on the canvas (pure): each hop's number on the node it happened at (the
 * interface it left by, else the one it came in on, else its namespace), the veth edges it
 * crossed (veth edges and bridge port edges, moving in the packet's direction), and the failing
 * hop; turned into CSS over xyflow's `data-id` attributes, so the canvas itself needs no change.
 */
import { vethLinkId } from '../../../common/ids.js';
import type { TraceHop } from '../../../common/trace.js';

export interface TraceMark {
  /** 1-based hop numbers at this node, in path order. */
  numbers: number[];
  failed: boolean;
  /** The reply's failing hop is here (`back N`). */
  back?: number;
}

/** An edge the packet crosses, with the way it goes. */
export interface TraceFlow {
  /** The edge id, or for a bridge port edge (`port:<port>:<bridge>`) its prefix `port:<port>:`. */
  edge: string;
  prefix: boolean;
  /** Interface it leaves, interface it reaches (null where that end is the bridge). */
  from: string | null;
  to: string | null;
}

export interface TraceMarks {
  nodes: Map<string, TraceMark>;
  edges: string[];
  flows: TraceFlow[];
}

export function hopNode(h: TraceHop): string {
  return h.out ?? h.in ?? h.namespace;
}

export function traceMarks(hops: readonly TraceHop[], failedAt: number | null): TraceMarks {
  const nodes = new Map<string, TraceMark>();
  const edges: string[] = [];
  const flows: TraceFlow[] = [];
  hops.forEach((h, i) => {
    const id = hopNode(h);
    const m = nodes.get(id) ?? { numbers: [], failed: false };
    m.numbers.push(i + 1);
    if (failedAt === i) m.failed = true;
    nodes.set(id, m);
    if (h.action === 'veth' && h.in) {
      const prev = hops[i - 1];
      const from = prev?.out ?? prev?.in;
      if (from && from !== h.in) {
        edges.push(vethLinkId(from, h.in));
        flows.push({ edge: vethLinkId(from, h.in), prefix: false, from, to: h.in });
      }
    }
    // Into the bridge by its input port, out by the output port (out is the bridge itself when
    // the bridge receives: no port edge then; the graph draws port edges port -> bridge).
    if (h.action === 'bridge') {
      if (h.in) flows.push({ edge: `port:${h.in}:`, prefix: true, from: h.in, to: null });
      if (h.out && h.out !== h.in)
        flows.push({ edge: `port:${h.out}:`, prefix: true, from: null, to: h.out });
    }
  });
  return { nodes, edges, flows };
}

/** Only ids as the model makes them reach a selector (they are `ns-1`, `if-1-2`, `veth:...`). */
const SAFE_ID = /^[A-Za-z0-9:_-]+$/;

/** Adds the reply's failing hop, when the way back is where it fails. */
export function withReturnFailure(
  marks: TraceMarks,
  back: readonly TraceHop[],
  failedAt: number | null,
): TraceMarks {
  if (failedAt === null || !back[failedAt]) return marks;
  const id = hopNode(back[failedAt]);
  const m = marks.nodes.get(id) ?? { numbers: [], failed: false };
  marks.nodes.set(id, { ...m, failed: true, back: failedAt + 1 });
  return marks;
}

function label(m: TraceMark): string {
  const parts = m.numbers.map(String);
  if (m.back !== undefined) parts.push(`back ${m.back}`);
  return parts.join(',');
}

/**
 * Which way a flow runs along its drawn edge: true from the edge's source to its target, false
 * the other way, null when the drawing does not say (an end packed into its namespace box).
 * Port edges are drawn from the port to the bridge.
 */
export function flowForward(f: TraceFlow, source: (edgeId: string) => string | null): boolean | null {
  if (f.prefix) return f.from !== null;
  const s = source(f.edge);
  if (s === f.from) return true;
  if (s === f.to) return false;
  return null;
}

export function traceCss(marks: TraceMarks, source: (edgeId: string) => string | null = () => null): string {
  const rules: string[] = [];
  for (const [id, m] of marks.nodes) {
    if (!SAFE_ID.test(id)) continue;
    const sel = `.react-flow__node[data-id="${id}"]`;
    const color = m.failed ? 'var(--trace-fail, #d33)' : 'var(--trace-ok, #1f7ae0)';
    rules.push(`${sel} { outline: 3px solid ${color}; outline-offset: 2px; }`);
    rules.push(
      `${sel}::after { content: "${label(m)}"; position: absolute; top: -10px; left: -10px; ` +
        `min-width: 18px; padding: 0 4px; border-radius: 9px; background: ${color}; color: #fff; ` +
        `font: 600 11px/18px sans-serif; text-align: center; z-index: 10; pointer-events: none; }`,
    );
  }
  for (const f of marks.flows) {
    if (!SAFE_ID.test(f.edge)) continue;
    const sel = `.react-flow__edge[data-id${f.prefix ? '^' : ''}="${f.edge}"] .react-flow__edge-path`;
    const forward = flowForward(f, source);
    // Dashes that move the way the packet goes (trace.css has the keyframes).
    const motion =
      forward === null
        ? ''
        : ` stroke-dasharray: 10 6; animation: nx-trace-flow 0.8s linear infinite${forward ? '' : ' reverse'};`;
    rules.push(`${sel} { stroke: var(--trace-ok, #1f7ae0); stroke-width: 4;${motion} }`);
  }
  return rules.join('\n');
}
