import { describe, expect, it } from 'vitest';
import type { TraceHop } from '../../../common/trace.js';
import { flowForward, traceCss, traceMarks, withReturnFailure } from './marks.js';

const hop = (over: Partial<TraceHop>): TraceHop => ({
  namespace: 'ns-1',
  in: null,
  out: null,
  action: 'route',
  detail: '',
  command: '',
  ok: true,
  reason: null,
  ...over,
});

const path = [
  hop({ namespace: 'ns-1', out: 'if-1-2' }),
  hop({ namespace: 'ns-2', in: 'if-2-2', action: 'veth' }),
  hop({ namespace: 'ns-2', in: 'if-2-2', out: 'if-2-3' }),
  hop({ namespace: 'ns-3', in: 'if-3-2', action: 'veth' }),
  hop({ namespace: 'ns-3', in: 'if-3-2', action: 'deliver', ok: false, reason: 'nothing listens' }),
];

describe('trace marks', () => {
  it('numbers hops on the interface they leave by, else the one they came in on', () => {
    const m = traceMarks(path, 4);
    expect(m.nodes.get('if-1-2')).toEqual({ numbers: [1], failed: false });
    expect(m.nodes.get('if-2-2')).toEqual({ numbers: [2], failed: false });
    expect(m.nodes.get('if-2-3')).toEqual({ numbers: [3], failed: false });
    expect(m.nodes.get('if-3-2')).toEqual({ numbers: [4, 5], failed: true });
  });
  it('marks the veth edges crossed, by their model id', () => {
    expect(traceMarks(path, null).edges).toEqual(['veth:if-1-2:if-2-2', 'veth:if-2-3:if-3-2']);
  });
  it('draws the failing node red and drops ids that are not model ids', () => {
    const css = traceCss(traceMarks(path, 4));
    expect(css).toContain('.react-flow__node[data-id="if-3-2"] { outline: 3px solid var(--trace-fail');
    expect(css).toContain('content: "4,5"');
    const hostile = traceCss(traceMarks([hop({ out: 'x"] { } body {' })], null));
    expect(hostile).toBe('');
  });
  it('marks the failing hop of the reply as "back N"', () => {
    const back = [hop({ namespace: 'ns-3', out: null, ok: false, reason: 'no route' })];
    const m = withReturnFailure(traceMarks(path.slice(0, 4), null), back, 0);
    expect(m.nodes.get('ns-3')).toEqual({ numbers: [], failed: true, back: 1 });
    expect(traceCss(m)).toContain('content: "back 1"');
  });
});

describe('trace direction', () => {
  // a (if-1-2) -> bridge br (if-2-9) in ns-2 by ports if-2-2 and if-2-3 -> b (if-3-2).
  const bridged = [
    hop({ namespace: 'ns-1', out: 'if-1-2' }),
    hop({ namespace: 'ns-2', in: 'if-2-2', action: 'veth' }),
    hop({ namespace: 'ns-2', in: 'if-2-2', out: 'if-2-3', action: 'bridge' }),
    hop({ namespace: 'ns-3', in: 'if-3-2', action: 'veth' }),
    hop({ namespace: 'ns-3', in: 'if-3-2', action: 'deliver' }),
  ];

  it('moves along a veth edge drawn from the sender, against one drawn from the receiver', () => {
    const m = traceMarks(bridged, null);
    const drawn = new Map([
      ['veth:if-1-2:if-2-2', 'if-1-2'],
      ['veth:if-2-3:if-3-2', 'if-3-2'],
    ]);
    const css = traceCss(m, (id) => drawn.get(id) ?? null);
    expect(css).toMatch(
      /data-id="veth:if-1-2:if-2-2"\] \.react-flow__edge-path \{[^}]*animation: nx-trace-flow 0\.8s linear infinite; \}/,
    );
    expect(css).toMatch(/data-id="veth:if-2-3:if-3-2"\] \.react-flow__edge-path \{[^}]*infinite reverse; \}/);
  });

  it('lights the bridge port edges: into the bridge forward, out of it reversed', () => {
    const m = traceMarks(bridged, null);
    expect(m.flows.filter((f) => f.prefix).map((f) => [f.edge, flowForward(f, () => null)])).toEqual([
      ['port:if-2-2:', true],
      ['port:if-2-3:', false],
    ]);
    const css = traceCss(m);
    expect(css).toContain('.react-flow__edge[data-id^="port:if-2-2:"] .react-flow__edge-path');
  });

  it('lights an edge without motion when the drawing does not say which end it starts at', () => {
    const css = traceCss(traceMarks(bridged, null), () => 'ns-1');
    expect(css).toContain(
      '.react-flow__edge[data-id="veth:if-1-2:if-2-2"] .react-flow__edge-path { stroke: var(--trace-ok, #1f7ae0); stroke-width: 4; }',
    );
  });
});
