/**
 * Where a trace shows on the canvas (pure): each hop's number on the node it happened at (the
 * interface it left by, else the one it came in on, else its namespace), the veth edges it
 * crossed, and the failing hop; turned into CSS over xyflow's `data-id` attributes, so the
 * canvas itself needs no change to draw it.
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

export interface TraceMarks {
  nodes: Map<string, TraceMark>;
  edges: string[];
}

export function hopNode(h: TraceHop): string {
  return h.out ?? h.in ?? h.namespace;
}

export function traceMarks(hops: readonly TraceHop[], failedAt: number | null): TraceMarks {
  const nodes = new Map<string, TraceMark>();
  const edges: string[] = [];
  hops.forEach((h, i) => {
    const id = hopNode(h);
    const m = nodes.get(id) ?? { numbers: [], failed: false };
    m.numbers.push(i + 1);
    if (failedAt === i) m.failed = true;
    nodes.set(id, m);
    if (h.action === 'veth' && h.in) {
      const prev = hops[i - 1];
      const from = prev?.out ?? prev?.in;
      if (from && from !== h.in) edges.push(vethLinkId(from, h.in));
    }
  });
  return { nodes, edges };
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

export function traceCss(marks: TraceMarks): string {
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
  for (const id of marks.edges) {
    if (!SAFE_ID.test(id)) continue;
    rules.push(
      `.react-flow__edge[data-id="${id}"] .react-flow__edge-path { stroke: var(--trace-ok, #1f7ae0); stroke-width: 4; }`,
    );
  }
  return rules.join('\n');
}
