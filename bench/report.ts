/** The table printed at the end of a run and the target verdicts stored in the JSON. */
import type { Machine } from './machine.js';
import type { ServerFigures } from './serverBench.js';
import type { SnapshotFigures, ToolFigure } from './snapshotBench.js';

export interface SizeResult {
  size: number;
  buildMs: number;
  kinds: { named: number; process: number; bind: number };
  /** 1, 5 and 15 minute load averages when the size was measured. */
  loadavg: number[];
  /** Bench namespaces that something outside the bench removed (their figures are then skewed). */
  lostAfterSnapshot?: number;
  lostAtEnd?: number;
  snapshot?: SnapshotFigures;
  server?: ServerFigures;
}

export interface Target {
  name: string;
  size: number;
  target: string;
  value: number | null;
  unit: string;
  met: boolean | null;
}

export interface BenchResult {
  machine: Machine;
  sizes: SizeResult[];
  targets: Target[];
}

function tool(s: SizeResult, name: string): ToolFigure | null {
  const t = s.snapshot?.tools[name];
  return t && 'medianMs' in t ? t : null;
}

const check = (
  value: number | null | undefined,
  ok: (v: number) => boolean,
): [number | null, boolean | null] =>
  value === null || value === undefined || !Number.isFinite(value) ? [null, null] : [value, ok(value)];

/** Verdicts for the issue's targets, at the largest size measured (the targets are stated at 300). */
export function evaluateTargets(sizes: SizeResult[]): Target[] {
  const s = sizes[sizes.length - 1];
  if (!s) return [];
  const srv = s.server;
  const rows: Array<[string, string, number | null | undefined, string, (v: number) => boolean]> = [
    [
      'snapshot: nsenter loop / explorer',
      '>= 4x',
      s.snapshot?.ratios['nsenterLoopOverExplorer'],
      'x',
      (v) => v >= 4,
    ],
    [
      'snapshot: ip -n loop / explorer',
      '>= 4x',
      s.snapshot?.ratios['naiveLoopOverExplorer'],
      'x',
      (v) => v >= 4,
    ],
    ['change-to-client p95', '< 100 ms', srv?.latency?.fromReturnMs.p95, 'ms', (v) => v < 100],
    ['changes without a delta', '0', srv?.latency?.missed, '', (v) => v === 0],
    ['idle CPU', '< 2% of a core', srv?.idle?.percentOfOneCore, '%', (v) => v < 2],
    ['delta bytes per change (own, max)', '< 2048 B', srv?.latency?.deltaBytes.own.max, 'B', (v) => v < 2048],
    [
      'delta bytes per change (window, p50)',
      '< 2048 B',
      srv?.latency?.deltaBytes.window.p50,
      'B',
      (v) => v < 2048,
    ],
    ['server RSS (with children)', '< 200 MB', srv?.rssMb.max || null, 'MB', (v) => v < 200],
    ['page: all namespaces drawn', '< 3000 ms', srv?.page?.drawnMs, 'ms', (v) => v < 3000],
    ['page: median frame', '< 20 ms', srv?.page?.frameMs.p50, 'ms', (v) => v < 20],
  ];
  return rows.map(([name, target, v, unit, ok]) => {
    const [value, met] = check(v, ok);
    return { name, size: s.size, target, value, unit, met };
  });
}

const pad = (x: unknown, n: number): string => String(x ?? '-').padStart(n);
const ms = (t: ToolFigure | null): string => (t ? `${t.medianMs} ms (${t.namespaces} ns)` : '-');

export function printTable(r: BenchResult): void {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `\nnetns-explorer bench — ${m.nproc} x ${m.cpu}, Linux ${m.kernel}, iproute2 ${m.iproute2}, node ${m.node}, ${m.date}`,
  );
  out.push('\nFull snapshot (median)');
  out.push(
    [
      'size',
      'explorer',
      'explorer CLI',
      'ip -n loop',
      'nsenter loop',
      'plotnetcfg',
      'loop/expl',
      'nsenter/expl',
      'expl/plot',
    ]
      .map((h, i) => (i === 0 ? pad(h, 5) : pad(h, i < 5 ? 24 : 13)))
      .join(' '),
  );
  for (const s of r.sizes) {
    const ra = s.snapshot?.ratios ?? {};
    out.push(
      [
        pad(s.size, 5),
        pad(ms(tool(s, 'explorer')), 24),
        pad(ms(tool(s, 'explorerCli')), 24),
        pad(ms(tool(s, 'naiveLoop')), 24),
        pad(ms(tool(s, 'nsenterLoop')), 24),
        pad(ms(tool(s, 'plotnetcfg')), 13 + 11),
        pad(ra['naiveLoopOverExplorer'], 13),
        pad(ra['nsenterLoopOverExplorer'], 13),
        pad(ra['explorerOverPlotnetcfg'], 13),
      ].join(' '),
    );
  }
  out.push('\nLive server');
  out.push(
    [
      'size',
      'lat p50',
      'lat p95',
      'lat max',
      'missed',
      'own B p50',
      'own B max',
      'snapshot B',
      'idle %',
      'RSS MB',
      'drawn ms',
      'frame p50',
    ]
      .map((h) => pad(h, 11))
      .join(' '),
  );
  for (const s of r.sizes) {
    const v = s.server;
    const l = v?.latency;
    out.push(
      [
        s.size,
        l?.fromReturnMs.p50,
        l?.fromReturnMs.p95,
        l?.fromReturnMs.max,
        l?.missed,
        l?.deltaBytes.own.p50,
        l?.deltaBytes.own.max,
        v?.snapshotBytes,
        v?.idle?.percentOfOneCore,
        v?.rssMb.max,
        v?.page?.drawnMs,
        v?.page?.frameMs.p50,
      ]
        .map((x) => pad(x, 11))
        .join(' '),
    );
    if (v?.error) out.push(`      server error: ${v.error}`);
    if (v?.page?.error) out.push(`      page: ${v.page.error}`);
  }
  out.push('\nTargets (at the largest size)');
  for (const t of r.targets) {
    const verdict = t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED';
    out.push(
      `  ${t.name.padEnd(36)} ${t.target.padEnd(16)} ${pad(t.value === null ? '-' : `${t.value}${t.unit}`, 12)}  ${verdict}`,
    );
  }
  process.stdout.write(out.join('\n') + '\n');
}
