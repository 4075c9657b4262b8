/**
 * `npm run bench`: builds topologies of growing size under a unique prefix, measures netns-explorer
 * against the baselines, prints a table and writes bench-results/latest.json. Everything it creates
 * is removed afterwards, also on failure and on SIGINT/SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Fixture } from './fixture.js';
import { createFixture, growFixture, lostNamespaces } from './fixture.js';
import { machine } from './machine.js';
import { markdown } from './markdown.js';
import type { Options } from './options.js';
import { parseOptions } from './options.js';
import type { SizeResult } from './report.js';
import { evaluateTargets, printTable } from './report.js';
import { serverBench } from './serverBench.js';
import { snapshotBench } from './snapshotBench.js';
import { descendants } from './procfs.js';
import { pollFor } from './proc.js';
import { readFile } from 'node:fs/promises';
import { round } from './stats.js';
import { hostState, leftovers, sweep, teardownFixture } from './teardown.js';

const log = (s: string): void => void process.stderr.write(`${s}\n`);

/** Things to stop before the fixture goes (server, browser), newest first. */
const closers: Array<() => Promise<void>> = [];
export function onStop(fn: () => Promise<void>): () => void {
  closers.push(fn);
  return () => {
    const i = closers.indexOf(fn);
    if (i >= 0) closers.splice(i, 1);
  };
}

let fixture: Fixture | null = null;
let stopping: Promise<string[]> | null = null;
function stopAll(): Promise<string[]> {
  stopping ??= (async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((e: unknown) => log(`stop: ${String(e)}`));
    return fixture ? teardownFixture(fixture) : [];
  })();
  return stopping;
}

function onSignal(sig: NodeJS.Signals): void {
  log(`\n${sig}: removing the bench topology...`);
  void stopAll().then((problems) => {
    for (const p of problems) log(`teardown: ${p}`);
    process.exit(130);
  });
}

function onCrash(e: unknown): void {
  log(`bench crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  void stopAll().then((problems) => {
    for (const p of problems) log(`teardown: ${p}`);
    process.exit(1);
  });
}

/** Counts (and reports) fixture namespaces that something else removed during the run. */
async function checkFixture(fx: Fixture): Promise<number> {
  const lost = await lostNamespaces(fx);
  if (lost.length) {
    log(
      `  WARNING: ${lost.length} of the bench's namespaces were removed by something else: ${lost
        .slice(0, 5)
        .map((n) => n.name)
        .join(', ')}...`,
    );
  }
  return lost.length;
}

async function measureSize(opts: Options, fx: Fixture, size: number): Promise<SizeResult> {
  const t0 = performance.now();
  await growFixture(fx, size);
  const buildMs = performance.now() - t0;
  const kinds = { named: 0, process: 0, bind: 0 };
  for (const ns of fx.namespaces) kinds[ns.kind]++;
  log(
    `\n== ${size} namespaces (${kinds.named} named, ${kinds.process} process, ${kinds.bind} bind-mount), built in ${round(buildMs)} ms, load ${loadavg().map(round).join(' ')}`,
  );
  // Other work on the machine skews every figure: record how busy it was.
  const result: SizeResult = { size, buildMs: round(buildMs), kinds, loadavg: loadavg().map(round) };
  if (opts.only.has('snapshot')) result.snapshot = await snapshotBench(opts.repeat, log);
  result.lostAfterSnapshot = await checkFixture(fx);
  if (opts.only.has('latency') || opts.only.has('idle') || opts.only.has('page')) {
    result.server = await serverBench(opts, fx, log, onStop);
  }
  result.lostAtEnd = await checkFixture(fx);
  return result;
}

async function describePids(pids: number[]): Promise<string[]> {
  return Promise.all(
    pids.map(
      async (p) =>
        `${p} ${(await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ').trim()}`,
    ),
  );
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('the benchmark builds network namespaces: run it as root');
  if (opts.cleanup) {
    const problems = await sweep('nxb');
    for (const p of problems) log(p);
    log(problems.length ? 'cleanup finished with problems' : 'no bench leftovers remain');
    return problems.length ? 1 : 0;
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const prefix = `nxb${randomBytes(4).readUInt32BE(0).toString(36).slice(-4)}`;
  const info = await machine();
  log(`netns-explorer bench, prefix ${prefix}, ${info.nproc} x ${info.cpu}, kernel ${info.kernel}`);
  const sizes: SizeResult[] = [];
  let teardownProblems: string[] = [];
  try {
    fixture = await createFixture(prefix);
    for (const size of opts.sizes) sizes.push(await measureSize(opts, fixture, size));
  } finally {
    teardownProblems = await stopAll();
  }
  const after = await hostState();
  const left = leftovers(after, prefix);
  // Children finish exiting asynchronously; give them a moment before calling them leftovers.
  const strayPids =
    (await pollFor(async () => {
      const d = await descendants(process.pid);
      return d.length === 0 ? [] : null;
    }, 3000)) ?? (await describePids(await descendants(process.pid)));
  // In-process discovery keeps its nsid helper (`sleep 86400`, killed when we exit) for reuse.
  const helpers = strayPids.filter((p) => /sleep 86400$/.test(p));
  const stray = strayPids.filter((p) => !helpers.includes(p));
  const result = {
    machine: info,
    options: { ...opts, only: [...opts.only] },
    prefix,
    sizes,
    targets: evaluateTargets(sizes),
    teardown: {
      problems: teardownProblems,
      leftovers: left,
      childProcessesLeft: stray,
      discoveryHelpersUntilExit: helpers,
    },
  };
  printTable(result);
  const out = resolve(opts.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(result, null, 2) + '\n');
  await writeFile(out.replace(/\.json$/, '') + '.md', markdown(result));
  log(`\nwrote ${out}`);
  if (teardownProblems.length || left.length || stray.length) {
    for (const p of [...teardownProblems, ...left, ...stray.map((p) => `child process left: ${p}`)])
      log(`teardown problem: ${p}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  async (e: unknown) => {
    log(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
    await stopAll();
    process.exit(1);
  },
);
