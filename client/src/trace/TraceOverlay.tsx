/**
 * Draws the open trace on the canvas (numbered hops, the veth and bridge port edges crossed with
 * dashes moving the packet's way, the failing hop in red) as a style element over xyflow's node and edge ids, and re-runs the trace when the live
 * model changes a namespace on its path.
 */
import { useEffect, useMemo } from 'react';
import { useStore } from '@xyflow/react';
import { namespaceOfId } from '../../../common/ids.js';
import { liveModel } from '../sync/live.js';
import { traceCss, traceMarks, withReturnFailure } from './marks.js';
import { useTrace } from './traceStore.js';

const RERUN_DELAY_MS = 300;

export function TraceOverlay() {
  const result = useTrace((s) => s.result);
  // Which end each drawn edge starts from, so the path's dashes move the packet's way.
  const edges = useStore((s) => s.edges);
  const css = useMemo(() => {
    if (!result) return '';
    const marks = traceMarks(result.hops, result.failedAt);
    if (result.returnPath) withReturnFailure(marks, result.returnPath.hops, result.returnPath.failedAt);
    const sources = new Map(edges.map((e) => [e.id, e.source]));
    return traceCss(marks, (id) => sources.get(id) ?? null);
  }, [result, edges]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = liveModel.store.subscribe((s, prev) => {
      const open = useTrace.getState().result;
      if (!open || s.changed === prev.changed || s.changed.length === 0) return;
      const onPath = new Set(open.namespaces);
      const hit = s.changed.some((id) => onPath.has(id) || onPath.has(namespaceOfId(id) ?? ''));
      if (!hit) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => useTrace.getState().rerun(), RERUN_DELAY_MS);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, []);

  if (!css) return null;
  return <style data-testid="trace-style">{css}</style>;
}
