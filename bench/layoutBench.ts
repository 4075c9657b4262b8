/**
 * Layout bench (issue 13): a hub scene of N members (default 1,000; `--members 300,1000` runs
 * each size in turn, one scene at a time), the server, and the page in Chromium. Reports the
 * first picture after the snapshot arrived (target 1.5 s at 1,000), what fit-view draws (the
 * segment closed as one aggregate: nodes in the DOM, its counts), the edges drawn over a
 * namespace box that is not one of their ends at fit-view with the segment opened and at 1:1 on
 * a member (target at most 1 %), text under 8 px, and frame times while zooming and panning
 * (median and spread; headless software rendering is noisy), with the machine's load beside them.
 *
 *   npm run build && npm run build:bench && node dist-bench/bench/layoutBench.js [--members 300,1000]
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { edgesOverForeignBoxes } from '../common/crossings.js';
import type { Topology } from '../common/model.js';
import { growHub, hubScene, removeHub } from './hubScene.js';
import { startServer } from './live.js';
import type { ServerHandle } from './live.js';
import { RECORD_SNAPSHOT, firstPictureMs, framesWhileMoving, geometry } from './layoutPage.js';
import type { Geometry } from './layoutPage.js';
import { percentile, round, summarize } from './stats.js';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const DRAW_TIMEOUT_MS = 60_000;

function memberCounts(argv: readonly string[]): number[] {
  const i = argv.indexOf('--members');
  const raw = i >= 0 ? (argv[i + 1] ?? '') : '1000';
  const counts = raw.split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 5000))
    throw new Error(`--members must be a list of 1..5000, got ${raw}`);
  return counts;
}

/** What fit-view draws: nodes in the DOM and the closed segments with their counts. */
const OVERVIEW = `(() => ({
  domNodes: document.querySelectorAll('.react-flow__node').length,
  aggregates: Array.from(document.querySelectorAll('[data-testid="aggregate"]')).map((el) => ({
    members: Number(el.dataset.members), up: Number(el.dataset.up), down: Number(el.dataset.down),
  })),
}))()`;

const until = async (what: string, fn: () => Promise<boolean>, ms: number): Promise<void> => {
  const end = performance.now() + ms;
  while (!(await fn())) {
    if (performance.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Link and bridge-port edge ids -> the namespaces they join. */
function edgeEnds(t: Topology): Map<string, string[]> {
  const nsOf = new Map(t.interfaces.map((i) => [i.id, i.namespace]));
  const ends = new Map<string, string[]>();
  for (const l of t.links) ends.set(l.id, [nsOf.get(l.a) ?? '', nsOf.get(l.b) ?? '']);
  return ends;
}

function crossing(g: Geometry, ends: Map<string, string[]>, ours: ReadonlySet<string>) {
  const drawn = g.edges.flatMap((e) => {
    const at = ends.get(e.id);
    return at && at.some((n) => ours.has(n)) ? [{ id: e.id, ends: at, points: e.points }] : [];
  });
  const over = edgesOverForeignBoxes(drawn, g.boxes).length;
  return { drawnEdges: drawn.length, over, percent: drawn.length ? round((100 * over) / drawn.length) : 0 };
}

async function topology(server: ServerHandle): Promise<Topology> {
  const res = await fetch(`${server.origin}/api/topology`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  return (await res.json()) as Topology;
}

async function measure(page: Page, server: ServerHandle, ids: string[]) {
  const ours = new Set(ids);
  await page.addInitScript(RECORD_SNAPSHOT);
  await page.goto(server.openUrl, { waitUntil: 'commit' });
  let first: number | null = null;
  await until(
    'first picture',
    async () => (first = await firstPictureMs(page).catch(() => null)) !== null,
    DRAW_TIMEOUT_MS,
  );
  await until(
    'every member placed',
    async () =>
      (await page.evaluate(
        `${JSON.stringify(ids)}.every((id) => window.__netnsExplorer.position(id) !== null)`,
      )) === true,
    DRAW_TIMEOUT_MS,
  );
  const ends = edgeEnds(await topology(server));
  const fit = await geometry(page);
  const overview: unknown = await page.evaluate(OVERVIEW);
  // Opened by a click (as a user would) at the same zoom: the comb's edges, measured.
  const hub = ids[0]!;
  await page.locator(`.react-flow__node-aggregate[data-id$="${hub}"]`).click({ position: { x: 20, y: 20 } });
  const oursDrawn = async () => (await geometry(page)).boxes.filter((b) => ours.has(b.id)).length;
  await until('opened', async () => (await oursDrawn()) >= ids.length, DRAW_TIMEOUT_MS);
  const opened = await geometry(page);
  const fitView = {
    zoom: round(fit.zoom),
    smallText: fit.smallText,
    closed: overview,
    opened: { smallText: opened.smallText, ...crossing(opened, ends, ours) },
  };
  // 1:1 on a member in the middle: found with the search box, as a user would.
  const member = ids[Math.floor(ids.length / 2)]!;
  await page.getByTestId('search-input').fill(member);
  await page.getByTestId('search-result').first().waitFor();
  await page.getByTestId('search-input').press('Enter');
  await until('centred at 1:1', async () => (await geometry(page)).zoom === 1, 10_000);
  const near = await geometry(page);
  const oneToOne = { smallText: near.smallText, ...crossing(near, ends, ours) };
  // Frames from the overview, as after the first picture. (Dispatched: the Capture tab lies
  // over the Controls' corner on a short viewport.)
  await page.locator('.react-flow__controls-fitview').dispatchEvent('click');
  const moving = await framesWhileMoving(page);
  const frames = summarize(moving);
  return {
    firstPictureMs: first === null ? null : round(first),
    fitView,
    oneToOne,
    frameMs: {
      n: frames.n,
      min: round(frames.min),
      p25: round(percentile(moving, 25)),
      p50: round(frames.p50),
      p75: round(percentile(moving, 75)),
      p95: round(frames.p95),
      max: round(frames.max),
    },
  };
}

async function main(): Promise<void> {
  for (const n of memberCounts(process.argv.slice(2))) await one(n);
}

async function one(n: number): Promise<void> {
  const scene = hubScene(`nxlb${randomBytes(2).toString('hex').slice(0, 3)}`);
  let server: ServerHandle | null = null;
  let browser: Browser | null = null;
  try {
    // The machine may be shared: the load goes beside every figure (uptime's 1, 5, 15 minutes).
    const loadBefore = loadavg();
    const t0 = performance.now();
    await growHub(scene, n);
    const buildMs = round(performance.now() - t0);
    const ids = await Promise.all(
      [scene.hub, ...scene.leaves].map(async (name) => `ns-${(await stat(`/run/netns/${name}`)).ino}`),
    );
    server = await startServer();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS, headless: true });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const figures = await measure(page, server, ids);
    const load = { loadBefore: loadBefore.map(round), loadAfter: loadavg().map(round) };
    console.log(JSON.stringify({ members: n, sceneBuildMs: buildMs, ...load, ...figures }, null, 2));
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    const left = await removeHub(scene);
    if (left.length) console.error(`cleanup: ${left.join('; ')}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
