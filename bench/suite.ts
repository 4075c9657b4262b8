/**
 * `npm run bench`: every benchmark, one after the other (they share the machine, so never at
 * once): the live-server bench (run.ts), the hub-scene readers side by side (hub.ts), trace,
 * capture, history, runtime naming, the page at scale, three simulated nodes and a short fuzz run. Each one's output goes to
 * bench-results/<name>-latest.txt; bench-results/suite-latest.md lists what ran, how long it took
 * and how it ended. `--only a,b` runs some of them; `--skip a,b` leaves some out.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

interface Entry {
  name: string;
  /** Compiled file next to this one, and its arguments. */
  file: string;
  args: string[];
  what: string;
}

const ENTRIES: Entry[] = [
  { name: 'live', file: 'run.js', args: [], what: 'live server: snapshot, change latency, idle CPU, page' },
  {
    name: 'hub',
    file: 'hub.js',
    args: ['--out', 'bench-results/hub-latest.json'],
    what: 'hub scene at 300 and 1,000: native reader, snapshot command, ip reader, bare floor',
  },
  {
    name: 'trace',
    file: 'traceBench.js',
    args: ['--namespaces', '300'],
    what: '5-hop path trace at 300 namespaces',
  },
  { name: 'capture', file: 'capture.js', args: ['10000', '5'], what: 'capture at 10,000 packets/s' },
  { name: 'history', file: 'historyBench.js', args: ['300', '100000'], what: '100,000 recorded changes' },
  { name: 'runtimes', file: 'runtimes.js', args: ['100'], what: 'containerd naming, 100 containers' },
  {
    name: 'layout',
    file: 'layoutBench.js',
    args: ['--members', '300,1000'],
    what: 'page at 300 and 1,000 hub members: first picture, edges over boxes, small text, frames',
  },
  {
    name: 'cluster',
    file: 'cluster.js',
    args: ['--pods', '100'],
    what: '3 simulated nodes x 100 namespaces',
  },
  { name: 'fuzz', file: 'fuzz.js', args: ['1'], what: 'one minute of fuzzing per input kind' },
];

function listOption(name: string): Set<string> | null {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  return v ? new Set(v.split(',')) : null;
}

function runOne(e: Entry, here: string, outFile: string): Promise<{ code: number | null; ms: number }> {
  const t0 = performance.now();
  const out = createWriteStream(outFile);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(here, e.file), ...e.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (b: Buffer) => {
      out.write(b);
      process.stdout.write(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      out.write(b);
      process.stderr.write(b);
    });
    child.on('close', (code) => {
      out.end();
      resolve({ code, ms: performance.now() - t0 });
    });
  });
}

async function main(): Promise<number> {
  const here = dirname(fileURLToPath(import.meta.url));
  const only = listOption('--only');
  const skip = listOption('--skip') ?? new Set<string>();
  await mkdir('bench-results', { recursive: true });
  const rows: string[] = [];
  let failed = 0;
  for (const e of ENTRIES) {
    if ((only && !only.has(e.name)) || skip.has(e.name)) continue;
    process.stderr.write(`\n== bench ${e.name}: ${e.what}\n`);
    const { code, ms } = await runOne(e, here, join('bench-results', `${e.name}-latest.txt`));
    if (code !== 0) failed++;
    rows.push(
      `| ${e.name} | ${e.what} | ${(ms / 1000).toFixed(0)} s | ${code === 0 ? 'ok' : `exit ${code}`} | ${e.name}-latest.txt |`,
    );
  }
  const md =
    `# Benchmark suite, ${new Date().toISOString()}\n\n` +
    '| bench | what | took | ended | output |\n|---|---|---:|---|---|\n' +
    `${rows.join('\n')}\n`;
  await writeFile(join('bench-results', 'suite-latest.md'), md);
  process.stdout.write(`\n${md}`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench suite: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
