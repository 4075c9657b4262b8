/** Export of the current view (PNG, SVG) and of the model (JSON) as downloads. */
import { toPng, toSvg } from 'html-to-image';
import type { Topology } from '../../../common/model.js';

function download(href: string, filename: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
}

/** Leaves out the minimap and controls: the export is the picture, not the chrome. */
function keep(node: HTMLElement): boolean {
  const c = node.classList;
  return (
    !c ||
    !(
      c.contains('react-flow__minimap') ||
      c.contains('react-flow__controls') ||
      c.contains('react-flow__panel')
    )
  );
}

function canvasElement(): HTMLElement {
  const el = document.querySelector<HTMLElement>('.react-flow');
  if (!el) throw new Error('nothing to export yet');
  return el;
}

export async function exportImage(kind: 'png' | 'svg'): Promise<void> {
  const el = canvasElement();
  const opts = { filter: keep, backgroundColor: '#f8fafc', pixelRatio: 2 };
  const url = kind === 'png' ? await toPng(el, opts) : await toSvg(el, opts);
  download(url, `netns-explorer-${stamp()}.${kind}`);
}

export function exportModel(t: Topology): void {
  const blob = new Blob([JSON.stringify(t, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  download(url, `netns-topology-${stamp()}.json`);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
