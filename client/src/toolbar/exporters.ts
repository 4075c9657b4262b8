/** Export of the current view (PNG, SVG) and of the model (JSON) as downloads. */
import { toPng, toSvg } from 'html-to-image';
import type { Topology } from '../../../common/model.js';
import { toSnapshotFile } from '../../../common/snapshotFile.js';
import { useHistory } from '../history/historyStore.js';

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

/** The minimap and controls live in React Flow panels: the export is the picture, not the chrome. */
const CHROME = ['react-flow__minimap', 'react-flow__controls', 'react-flow__panel'];

function keep(node: HTMLElement): boolean {
  const c = node.classList;
  return !c || !CHROME.some((x) => c.contains(x));
}

function canvasElement(): HTMLElement {
  const el = document.querySelector<HTMLElement>('.react-flow');
  if (!el) throw new Error('nothing to export yet');
  return el;
}

/** What makes an SVG shape look the way it does when CSS classes, not attributes, style it. */
const SVG_LOOK = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-opacity',
  'opacity',
  'visibility',
  'display',
  'font-family',
  'font-size',
  'font-weight',
] as const;

/**
 * html-to-image copies the computed style of every HTML element but clones each <svg> as it is,
 * so shapes styled by CSS classes lose their look: React Flow's edges (stroke from `.veth-edge`)
 * came out without a stroke, i.e. the exported picture had no edges at all. So the computed look
 * is written inline for the duration of the export; the returned function puts things back.
 */
function inlineSvgLook(root: HTMLElement): () => void {
  const undo: Array<() => void> = [];
  for (const el of root.querySelectorAll<SVGElement>('svg *')) {
    if (el.closest(CHROME.map((c) => `.${c}`).join(','))) continue;
    const before = el.getAttribute('style');
    const cs = getComputedStyle(el);
    for (const p of SVG_LOOK) el.style.setProperty(p, cs.getPropertyValue(p));
    undo.push(() => (before === null ? el.removeAttribute('style') : el.setAttribute('style', before)));
  }
  return () => undo.forEach((u) => u());
}

export async function exportImage(kind: 'png' | 'svg'): Promise<void> {
  const el = canvasElement();
  const opts = { filter: keep, backgroundColor: '#f8fafc', pixelRatio: 2 };
  const restore = inlineSvgLook(el);
  try {
    const url = kind === 'png' ? await toPng(el, opts) : await toSvg(el, opts);
    download(url, `netns-explorer-${stamp()}.${kind}`);
  } finally {
    restore();
  }
}

/** A snapshot file: the model with when it was taken and the server's hostname (issue 16). */
export function exportModel(t: Topology): void {
  const file = toSnapshotFile(t, new Date(), useHistory.getState().info?.host ?? null);
  const blob = new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  download(url, `netns-topology-${stamp()}.json`);
  // The browser reads the blob after the click returns; revoke once it surely has.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
