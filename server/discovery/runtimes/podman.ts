/**
 * podman (rootful): names, images and pods of running containers, from the libpod API socket when
 * the service runs, else from `podman ps --pod --format json` (both answer the same list format).
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { z } from 'zod';
import { readLabels } from './labels.js';
import type { RuntimeAnswer, RuntimeContainer } from './types.js';

export const PODMAN_SOCKET = '/run/podman/podman.sock';
export const PODMAN = '/usr/bin/podman';

const listSchema = z.array(
  z.object({
    Id: z.string(),
    Names: z.array(z.string()).nullable().optional(),
    Image: z.string().nullable().optional(),
    Pid: z.number().optional(),
    Pod: z.string().nullable().optional(),
    PodName: z.string().nullable().optional(),
    IsInfra: z.boolean().optional(),
    Labels: z.record(z.string(), z.string()).nullable().optional(),
    State: z.string().optional(),
  }),
);

/** Pure: podman's container list (CLI JSON or libpod API) as runtime containers. */
export function parsePodmanList(json: unknown): RuntimeContainer[] {
  return listSchema.parse(json).map((c) => {
    const labels = readLabels(c.Labels ?? {});
    const podName = c.PodName || (c.Pod ? c.Pod.slice(0, 12) : '');
    return {
      runtime: 'podman',
      id: c.Id,
      name: c.Names?.[0] ?? null,
      image: c.Image || null,
      pids: c.Pid && c.Pid > 0 && c.State !== 'exited' ? [c.Pid] : [],
      pod: podName || null,
      group: podName ? { kind: 'pod', name: podName } : labels.group,
      infra: c.IsInfra === true,
    };
  });
}

function getJson(socketPath: string, path: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, timeout: timeoutMs, headers: { Host: 'podman' } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`answered ${res.statusCode}`));
        else {
          try {
            resolve(JSON.parse(data));
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('did not answer in time')));
    req.on('error', reject);
    req.end();
  });
}

export interface PodmanOptions {
  socketPath?: string;
  /** Global arguments for the CLI (tests: their own --root/--runroot). */
  cliArgs?: string[];
  timeoutMs?: number;
}

/** podman's running containers; null when podman is not installed. */
export async function listPodman(opts: PodmanOptions = {}): Promise<RuntimeAnswer> {
  const socketPath = opts.socketPath ?? PODMAN_SOCKET;
  const timeoutMs = opts.timeoutMs ?? 1000;
  try {
    if (existsSync(socketPath)) {
      return {
        containers: parsePodmanList(await getJson(socketPath, '/v4.0.0/libpod/containers/json', timeoutMs)),
      };
    }
    if (!existsSync(PODMAN)) return null;
    // Loaded only when podman is there: execa costs a `snapshot` command ~1 s to load here.
    const { run } = await import('../../exec/run.js');
    const r = await run(PODMAN, [...(opts.cliArgs ?? []), 'ps', '--pod', '--format', 'json'], { timeoutMs });
    if (r.timedOut) throw new Error('did not answer in time');
    if (r.exitCode !== 0) throw new Error(r.stderr.trim().split('\n').at(-1) || `exit code ${r.exitCode}`);
    return { containers: parsePodmanList(JSON.parse(r.stdout)) };
  } catch (e) {
    const where = existsSync(socketPath) ? socketPath : 'podman ps';
    return { error: `podman (${where}): ${e instanceof Error ? e.message : String(e)}` };
  }
}
