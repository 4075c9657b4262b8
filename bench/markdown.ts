/** The figures as Markdown tables (bench-results/latest.md), ready for the README. */
import type { BenchResult, SizeResult } from './report.js';
import type { ToolFigure } from './snapshotBench.js';

const cell = (x: unknown): string => (x === null || x === undefined || Number.isNaN(x) ? '–' : String(x));

function tool(s: SizeResult, name: string): string {
  const t = s.snapshot?.tools[name];
  if (!t) return '–';
  if (!('medianMs' in t)) return 'skipped';
  const f: ToolFigure = t;
  return `${f.medianMs} ms (${f.namespaces})`;
}

export function markdown(r: BenchResult): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(
    `Machine: ${m.nproc} × ${m.cpu}, Linux ${m.kernel}, iproute2 ${m.iproute2}, Node ${m.node}` +
      `${m.plotnetcfg ? `, plotnetcfg ${m.plotnetcfg}` : ''}; ${m.date}.`,
    '',
    '**Full snapshot** (median wall time; in brackets the namespaces each tool covered)',
    '',
    '| namespaces | load avg | netns-explorer (in-process) | `netns-explorer snapshot` | `ip -n` loop (named only) | nsenter loop (all) | plotnetcfg (named only) | nsenter loop ÷ explorer | `ip -n` loop ÷ explorer | explorer ÷ plotnetcfg |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const s of r.sizes) {
    const ra = s.snapshot?.ratios ?? {};
    out.push(
      `| ${s.size} | ${s.loadavg[0] ?? '–'} | ${tool(s, 'explorer')} | ${tool(s, 'explorerCli')} | ${tool(s, 'naiveLoop')} | ` +
        `${tool(s, 'nsenterLoop')} | ${tool(s, 'plotnetcfg')} | ${cell(ra['nsenterLoopOverExplorer'])} | ` +
        `${cell(ra['naiveLoopOverExplorer'])} | ${cell(ra['explorerOverPlotnetcfg'])} |`,
    );
  }
  out.push(
    '',
    '**Live server** (latency from the change command returning to the delta arriving; bytes of the delta operations about the changed namespace)',
    '',
    '| namespaces | latency p50 | p95 | max | missed | delta bytes p50 / max | snapshot bytes | idle CPU | RSS (with children) | page: all drawn | first box | frame p50 / p95 |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const s of r.sizes) {
    const v = s.server;
    const l = v?.latency;
    const p = v?.page;
    out.push(
      `| ${s.size} | ${cell(l?.fromReturnMs.p50)} ms | ${cell(l?.fromReturnMs.p95)} ms | ${cell(l?.fromReturnMs.max)} ms | ` +
        `${cell(l?.missed)}/${cell(l?.changes)} | ${cell(l?.deltaBytes.own.p50)} / ${cell(l?.deltaBytes.own.max)} | ` +
        `${cell(v?.snapshotBytes)} | ${cell(v?.idle?.percentOfOneCore)}% | ${cell(v?.rssMb.max)} MB | ` +
        `${cell(p?.drawnMs)} ms | ${cell(p?.firstDrawnMs)} ms | ${cell(p?.frameMs.p50)} / ${cell(p?.frameMs.p95)} ms |`,
    );
  }
  out.push(
    '',
    '**Targets** (at the largest size)',
    '',
    '| target | goal | measured | verdict |',
    '|---|---|---:|---|',
  );
  for (const t of r.targets) {
    const verdict = t.met === null ? 'not measured' : t.met ? 'met' : '**missed**';
    out.push(`| ${t.name} | ${t.target} | ${t.value === null ? '–' : `${t.value} ${t.unit}`} | ${verdict} |`);
  }
  return out.join('\n') + '\n';
}
