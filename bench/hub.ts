/**
 * `npm run bench:hub`: the hub scene (hubScene.ts) at growing sizes, read side by side by the
 * native reader in process, the `netns-explorer snapshot` command (Node's start included), the
 * `ip` reader in process and the bare floor (floor.c, built here with cc). Also counts the
 * processes one full snapshot command starts. Writes bench-results/hub-latest.{json,md}.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { allNamespacePaths } from './baselines.js';
import type { HubScene } from './hubScene.js';
import { growHub, hubScene, removeHub } from './hubScene.js';
import type { HubLiveFigures } from './hubLive.js';
import { hubLiveBench, hubLiveMarkdown } from './hubLive.js';
import { machine } from './machine.js';
import { cmd } from './proc.js';
import { CLI } from './snapshot.js';
import { median, round } from './stats.js';
import { createNativeDiscovery } from '../server/native/discovery.js';
import { createDiscovery } from '../server/discovery/index.js';
import { onSpawn } from '../server/exec/run.js';

const log = (s: string): void => void process.stderr.write(`${s}\n`);

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const sizes = option('--sizes', '300,1000').split(',').map(Number);
const repeat = Number(option('--repeat', '3'));
// The ip reader takes seconds at 300 and minutes at 1,000: by default it runs at 300 only.
const ipAt = new Set(option('--ip-sizes', '300').split(',').map(Number));
const liveAt = new Set(option('--live-sizes', '1000').split(',').map(Number));
const live = {
  changes: Number(option('--changes', '20')),
  idleSeconds: Number(option('--idle-seconds', '60')),
};
const out = resolve(option('--out', 'bench-results/hub-latest.json'));
/** How long after the last port joined the live part starts (see the join events below). */
const SETTLE_MS = 20_000;

function sourceFile(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, rel))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`${rel} not found`);
    dir = up;
  }
  return join(dir, rel);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Processes one command starts, itself included (strace -f: forks and clones that are not threads). */
async function processesOf(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'nx-strace-'));
  try {
    const file = join(dir, 'trace');
    await cmd(['/usr/bin/strace', '-f', '-qq', '-e', 'trace=clone,clone3,fork,vfork', '-o', file, ...argv], {
      env,
      timeoutMs: 600_000,
    });
    const calls = (await readFile(file, 'utf8'))
      .split('\n')
      .filter(
        (l) => /^[0-9]+ +(clone3?|v?fork)\(/.test(l) && !l.includes('CLONE_THREAD') && !/= -1 /.test(l),
      );
    return 1 + calls.length;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface SizeFigures {
  size: number;
  namespacesSeen: number;
  loadavg: number[];
  ms: Record<string, number[]>;
  medianMs: Record<string, number>;
  processes: Record<string, number>;
  floorBytes: number;
  errors: string[];
}

async function measure(floor: string, size: number): Promise<SizeFigures> {
  const f: SizeFigures = {
    size,
    namespacesSeen: 0,
    loadavg: loadavg().map(round),
    ms: {},
    medianMs: {},
    processes: {},
    floorBytes: 0,
    errors: [],
  };
  const push = (k: string, ms: number) => (f.ms[k] ??= []).push(round(ms));
  const native = createNativeDiscovery();
  await native.full(); // warm-up: module loading and JIT are not what we measure
  const env = { ...process.env };
  for (let r = 0; r < repeat; r++) {
    const paths = (await allNamespacePaths()).join('\n') + '\n';
    const fl = await cmd([floor], { input: paths });
    push('floor', fl.ms);
    f.floorBytes = Number(fl.stdout.trim().split(' ')[1] ?? 0);
    let spawned = 0;
    const off = onSpawn(() => spawned++);
    const n = await timed(() => native.full());
    off();
    push('nativeInProcess', n.ms);
    f.namespacesSeen = n.value.topology.namespaces.length;
    f.processes['nativeInProcess'] = spawned;
    const unresolved = n.value.topology.interfaces.filter((i) => i.peerUnresolved !== null).length;
    if (unresolved) f.errors.push(`native: ${unresolved} veth peers unresolved`);
    const cli = await cmd([process.execPath, CLI, 'snapshot'], { env, timeoutMs: 600_000 });
    push('snapshotCommand', cli.ms);
    if (cli.code !== 0) f.errors.push(`snapshot exited ${cli.code}: ${cli.stderr.slice(0, 200)}`);
    log(
      `  ${size}: run ${r + 1}: floor ${round(fl.ms)} ms, native ${round(n.ms)} ms, snapshot ${round(cli.ms)} ms`,
    );
  }
  f.processes['snapshotCommand'] = await processesOf([process.execPath, CLI, 'snapshot'], env);
  if (ipAt.has(size)) {
    const ip = createDiscovery();
    let spawned = 0;
    const off = onSpawn(() => spawned++);
    const t = await timed(() => ip.full());
    off();
    push('ipReaderInProcess', t.ms);
    f.processes['ipReaderInProcess (spawns through run.ts)'] = spawned;
    log(`  ${size}: ip reader ${round(t.ms)} ms, ${spawned} spawns`);
    if (size <= 300) {
      f.processes['snapshotCommandIp'] = await processesOf([process.execPath, CLI, 'snapshot'], {
        ...env,
        NETNS_EXPLORER_NO_NATIVE: '1',
      });
    }
  }
  for (const [k, v] of Object.entries(f.ms)) f.medianMs[k] = round(median(v));
  return f;
}

function markdown(figs: SizeFigures[]): string {
  const cols = ['floor', 'nativeInProcess', 'snapshotCommand', 'ipReaderInProcess'];
  const rows = figs.map((f) => {
    const m = (k: string) => (f.medianMs[k] === undefined ? 'not run' : `${f.medianMs[k]} ms`);
    const x = (k: string) =>
      f.medianMs[k] === undefined ? '' : ` (${round(f.medianMs[k]! / f.medianMs['floor']!)}x)`;
    return `| ${f.size} | ${cols.map((c) => `${m(c)}${c === 'floor' ? '' : x(c)}`).join(' | ')} | ${f.processes['snapshotCommand']} | ${f.loadavg.join(' ')} |`;
  });
  return [
    '# Hub scene: full read, side by side (medians; x = times the bare floor)',
    '',
    `| N | bare floor | native in process | \`snapshot\` command | ip reader in process | processes per snapshot command | load (1, 5, 15 min) |`,
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the bench builds network namespaces');
  const info = await machine();
  const tmp = await mkdtemp(join(tmpdir(), 'nx-floor-'));
  const floor = join(tmp, 'floor');
  const built = await cmd(['/usr/bin/cc', '-O2', '-o', floor, sourceFile('bench/floor.c')]);
  if (built.code !== 0) throw new Error(`cc floor.c: ${built.stderr}`);
  const scene: HubScene = hubScene(`nxh${randomBytes(3).readUIntBE(0, 3).toString(36).slice(-4)}`);
  const stop = async () => {
    for (const p of await removeHub(scene)) log(`teardown: ${p}`);
    await rm(tmp, { recursive: true, force: true });
  };
  // A live server still running when a signal comes is stopped before the scene is removed.
  const servers = new Set<() => Promise<void>>();
  const onStop = (fn: () => Promise<void>) => {
    servers.add(fn);
    return () => void servers.delete(fn);
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(
      sig,
      () =>
        void Promise.all([...servers].map((fn) => fn()))
          .then(stop)
          .then(() => process.exit(130)),
    );
  const figs: SizeFigures[] = [];
  const liveFigs: HubLiveFigures[] = [];
  try {
    for (const size of sizes) {
      const t = await timed(() => growHub(scene, size));
      log(`== hub scene ${size} leaves built in ${round(t.ms)} ms, load ${loadavg().map(round).join(' ')}`);
      const builtAt = performance.now();
      figs.push(await measure(floor, size));
      if (liveAt.has(size)) {
        // A bridge port sends one more link event ~15 s after it joined (no visible change), and
        // each makes the live server re-read the 1,000-port hub: latency is measured once the
        // scene is quiet, as on a host whose ports are not all minutes old.
        const wait = SETTLE_MS - (performance.now() - builtAt);
        if (wait > 0) {
          log(`  waiting ${round(wait)} ms for the ports' join events to pass`);
          await new Promise((r) => setTimeout(r, wait));
        }
        liveFigs.push(await hubLiveBench(scene, live, log, onStop));
      }
    }
  } finally {
    await stop();
  }
  const md = markdown(figs) + (liveFigs.length ? `\n${hubLiveMarkdown(liveFigs)}` : '');
  process.stdout.write(md);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(
    out,
    JSON.stringify({ machine: info, repeat, sizes: figs, live: liveFigs }, null, 2) + '\n',
  );
  await writeFile(out.replace(/\.json$/, '.md'), md);
  log(`wrote ${out}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    log(`hub bench failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
