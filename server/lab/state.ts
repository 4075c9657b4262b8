/**
 * The lab's state file: what `lab up` made, so `lab down` removes exactly that. It is written
 * after every step of `up`, so a failure half-way can still be undone.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { LAB_DIR, STATE_FILE } from './plan.js';
import { DEFAULT_DOCKER_HOST, parseDockerHost } from './labArgs.js';

const processSchema = z.object({
  role: z.string(),
  pid: z.number().int().positive(),
  startTime: z.number().int().nonnegative(),
});

const dockerSchema = z.object({
  /** The daemon (`docker -H`) that holds the lab's objects; older state files lack it: the default. */
  host: z
    .string()
    .refine((h) => !('error' in parseDockerHost(h)), 'not a unix:// docker host')
    .default(DEFAULT_DOCKER_HOST),
  containers: z.array(z.object({ name: z.string(), id: z.string() })),
  network: z.string().nullable(),
  /** Image we imported ourselves (removed again by `down`), or null when it existed before. */
  importedImage: z.string().nullable(),
});

export const labStateSchema = z.object({
  version: z.literal(1),
  mode: z.enum(['process', 'docker']),
  createdAt: z.string(),
  /** True once every step of `up` succeeded. */
  complete: z.boolean(),
  processes: z.array(processSchema),
  /** Host-side interfaces created by us. */
  links: z.array(z.string()),
  /** Files and directories created by us (symlinks, web root). */
  paths: z.array(z.string()),
  docker: dockerSchema.nullable(),
});

export type LabState = z.infer<typeof labStateSchema>;
export type LabProcess = z.infer<typeof processSchema>;

export function emptyState(mode: LabState['mode']): LabState {
  return {
    version: 1,
    mode,
    createdAt: new Date().toISOString(),
    complete: false,
    processes: [],
    links: [],
    paths: [],
    docker: null,
  };
}

/** The recorded state, or null when there is none (an unreadable file counts as none: down sweeps). */
export async function readState(): Promise<LabState | null> {
  let text: string;
  try {
    text = await readFile(STATE_FILE, 'utf8');
  } catch {
    return null;
  }
  try {
    return labStateSchema.parse(JSON.parse(text));
  } catch {
    return null;
  }
}

/** Atomic replace, so a crash never leaves half a state file. */
export async function writeState(state: LabState): Promise<void> {
  await mkdir(LAB_DIR, { recursive: true, mode: 0o755 });
  const tmp = `${STATE_FILE}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  await rename(tmp, STATE_FILE);
}

export async function removeState(): Promise<void> {
  await rm(STATE_FILE, { force: true });
}
