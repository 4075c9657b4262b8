/**
 * In-page measurements of the layout bench (issue 13), passed to the page as source text (the
 * bench is compiled without the DOM library): when the snapshot arrived, the drawn geometry
 * (namespace boxes, and each edge's SVG path sampled every few flow units), text drawn under
 * 8 px, and frame times while scripted zooming and panning.
 */
import type { Page } from 'playwright-core';
import { findPane, startFrames, stopFrames } from './pageFrames.js';

/** Installed before the page's scripts: the time the first snapshot message arrived. */
export const RECORD_SNAPSHOT = `(() => {
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (window.__benchSnapshotAt === undefined && typeof e.data === 'string' && e.data.includes('"snapshot"'))
          window.__benchSnapshotAt = performance.now();
      });
    }
  };
})()`;

export interface Geometry {
  zoom: number;
  boxes: Array<{ id: string; x: number; y: number; w: number; h: number }>;
  edges: Array<{ id: string; points: Array<{ x: number; y: number }> }>;
  smallText: number;
}

const GEOMETRY = `(() => {
  const vp = document.querySelector('.react-flow__viewport');
  const m = vp ? /^matrix\\(([^,]+),/.exec(getComputedStyle(vp).transform) : null;
  const zoom = m ? Number(m[1]) : 1;
  const boxes = [];
  for (const el of document.querySelectorAll('.react-flow__node-namespace')) {
    const t = /translate\\(\\s*(-?[\\d.e+-]+)px,\\s*(-?[\\d.e+-]+)px\\)/.exec(el.style.transform);
    if (t) boxes.push({ id: el.dataset.id, x: Number(t[1]), y: Number(t[2]), w: el.offsetWidth, h: el.offsetHeight });
  }
  const edges = [];
  for (const g of document.querySelectorAll('.react-flow__edge')) {
    const path = g.querySelector('path.react-flow__edge-path');
    const id = g.getAttribute('data-id');
    if (!path || !id) continue;
    const len = path.getTotalLength();
    const n = Math.max(2, Math.ceil(len / 6));
    const points = [];
    for (let k = 0; k <= n; k++) {
      const p = path.getPointAtLength((len * k) / n);
      points.push({ x: p.x, y: p.y });
    }
    edges.push({ id, points });
  }
  let smallText = 0;
  const walker = document.createTreeWalker(vp, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !(n.textContent || '').trim() || el.closest('title')) continue;
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const style = getComputedStyle(el);
    const color = style.color.replace(/\\s/g, '');
    if (color === 'transparent' || /,0\\)$/.test(color)) continue;
    if (parseFloat(style.fontSize) * zoom < 8) smallText++;
  }
  return { zoom, boxes, edges, smallText };
})()`;

export async function geometry(page: Page): Promise<Geometry> {
  return (await page.evaluate(GEOMETRY)) as Geometry;
}

/** ms from the snapshot's arrival to the first picture drawn, or null while not drawn. */
export async function firstPictureMs(page: Page): Promise<number | null> {
  const v: unknown = await page.evaluate(
    `(() => { const h = window.__netnsExplorer; return h && h.drawnAt !== null && window.__benchSnapshotAt !== undefined ? h.drawnAt - window.__benchSnapshotAt : null; })()`,
  );
  return typeof v === 'number' ? v : null;
}

/** Frame deltas (ms) while the wheel zooms in and out and a drag on the pane pans. */
export async function framesWhileMoving(page: Page): Promise<number[]> {
  await startFrames(page);
  const vp = page.viewportSize() ?? { width: 1600, height: 1000 };
  const cx = vp.width / 2;
  const cy = vp.height / 2;
  await page.mouse.move(cx, cy);
  for (let i = 0; i < 10; i++) {
    await page.mouse.wheel(0, -120);
    await page.waitForTimeout(40);
  }
  // Pan as a user does: drag on empty canvas (on a box, the box would move).
  const at = (await findPane(page, 11, 7)) ?? { x: cx, y: cy };
  await page.mouse.move(at.x, at.y);
  await page.mouse.down();
  for (let i = 0; i < 40; i++)
    await page.mouse.move(at.x + Math.sin(i / 6) * 300, at.y + Math.cos(i / 6) * 200, { steps: 2 });
  await page.mouse.up();
  for (let i = 0; i < 10; i++) {
    await page.mouse.wheel(0, 120);
    await page.waitForTimeout(40);
  }
  return stopFrames(page);
}
