/** Part 1: full snapshot, netns-explorer against the loops and plotnetcfg, interleaved runs. */
import type { Timed } from './baselines.js';
import { hasPlotnetcfg, naiveLoop, nsenterLoop, plotnetcfg } from './baselines.js';
import { explorerCli, explorerInProcess, loadDiscovery } from './snapshot.js';
import { median, ratio, round } from './stats.js';

export interface ToolFigure {
  medianMs: number;
  runsMs: number[];
  namespaces: number;
  bytes: number;
  error: string | null;
}

export interface SnapshotFigures {
  tools: Record<string, ToolFigure | { skipped: string }>;
  /** slow / fast, from the medians of the same run. */
  ratios: Record<string, number>;
}

type Tool = () => Promise<Timed>;

export async function snapshotBench(repeat: number, log: (s: string) => void): Promise<SnapshotFigures> {
  const tools: Record<string, Tool> = {};
  const skipped: Record<string, { skipped: string }> = {};
  const { discovery, reason } = await loadDiscovery();
  if (discovery) {
    await discovery.full(); // warm-up: module loading and JIT are not what we measure
    tools['explorer'] = () => explorerInProcess(discovery);
    tools['explorerCli'] = explorerCli;
  } else {
    skipped['explorer'] = { skipped: reason };
    skipped['explorerCli'] = { skipped: reason };
  }
  tools['naiveLoop'] = naiveLoop;
  tools['nsenterLoop'] = nsenterLoop;
  if (await hasPlotnetcfg()) tools['plotnetcfg'] = plotnetcfg;
  else skipped['plotnetcfg'] = { skipped: 'plotnetcfg not installed (apt install plotnetcfg)' };

  const runs: Record<string, Timed[]> = {};
  for (let r = 0; r < repeat; r++) {
    // Interleaved so that machine noise hits every tool alike.
    for (const [name, tool] of Object.entries(tools)) {
      const t = await tool();
      (runs[name] ??= []).push(t);
      log(
        `  snapshot ${name} run ${r + 1}/${repeat}: ${round(t.ms)} ms, ${t.namespaces} ns${t.error ? ` (${t.error})` : ''}`,
      );
    }
  }
  const figures: Record<string, ToolFigure | { skipped: string }> = { ...skipped };
  const med: Record<string, number> = {};
  for (const [name, ts] of Object.entries(runs)) {
    const last = ts[ts.length - 1] as Timed;
    med[name] = median(ts.map((t) => t.ms));
    figures[name] = {
      medianMs: round(med[name]),
      runsMs: ts.map((t) => round(t.ms)),
      namespaces: last.namespaces,
      bytes: last.bytes,
      error: ts.find((t) => t.error)?.error ?? null,
    };
  }
  const m = (k: string): number => med[k] ?? Number.NaN;
  return {
    tools: figures,
    ratios: {
      nsenterLoopOverExplorer: round(ratio(m('nsenterLoop'), m('explorer'))),
      naiveLoopOverExplorer: round(ratio(m('naiveLoop'), m('explorer'))),
      nsenterLoopOverExplorerCli: round(ratio(m('nsenterLoop'), m('explorerCli'))),
      explorerOverPlotnetcfg: round(ratio(m('explorer'), m('plotnetcfg'))),
      naiveLoopOverPlotnetcfg: round(ratio(m('naiveLoop'), m('plotnetcfg'))),
    },
  };
}
