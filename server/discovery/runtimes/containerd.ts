/**
 * containerd: every namespace's containers (id, labels, image) and tasks (pids), through its
 * gRPC API. The API rather than `ctr`: one connection answers for every namespace in three
 * calls, whereas ctr prints labels and images only as JSON per container (one process each).
 */
import { existsSync } from 'node:fs';
import type { Fields } from './protobuf.js';
import { decodeFields, encodeStrings, messages, num, str, stringMap } from './protobuf.js';
import { readLabels } from './labels.js';
import type { RuntimeAnswer, RuntimeContainer } from './types.js';

export const CONTAINERD_SOCKET = '/run/containerd/containerd.sock';
const NAMESPACE_HEADER = 'containerd-namespace';
export const LIST_NAMESPACES = '/containerd.services.namespaces.v1.Namespaces/List';
export const LIST_CONTAINERS = '/containerd.services.containers.v1.Containers/List';
export const LIST_TASKS = '/containerd.services.tasks.v1.Tasks/List';

/** containerd.v1.types.Status: tasks with these have a process whose namespace we can see. */
const LIVE_STATUS = new Set([1, 2, 4, 5]); // CREATED, RUNNING, PAUSED, PAUSING

/** The raw answers of one namespace (kept raw so tests can replay recorded ones). */
export interface ContainerdNamespaceAnswer {
  namespace: string;
  containers: Uint8Array;
  tasks: Uint8Array;
}

/** Pure: containers of one containerd namespace with their live tasks' pids. */
export function parseContainerdNamespace(a: ContainerdNamespaceAnswer): RuntimeContainer[] {
  const pids = new Map<string, number[]>();
  for (const t of messages(decodeFields(a.tasks), 1)) {
    const pid = num(t, 3);
    if (pid <= 0 || !LIVE_STATUS.has(num(t, 4))) continue;
    // Process.container_id (1); containerd 1.6 leaves it empty and names the task by its container (2).
    const id = str(t, 1) || str(t, 2);
    pids.set(id, [...(pids.get(id) ?? []), pid]);
  }
  return messages(decodeFields(a.containers), 1).map((c: Fields) => {
    const id = str(c, 1);
    const facts = readLabels(stringMap(c, 2));
    // Docker keeps its containers in the `moby` namespace, under Docker's own ids.
    const runtime = a.namespace === 'moby' ? 'docker' : facts.kubernetes ? 'kubernetes' : 'containerd';
    return {
      runtime,
      id,
      name: facts.name,
      image: str(c, 3) || null,
      pids: pids.get(id) ?? [],
      pod: facts.pod,
      group: facts.group,
      infra: facts.infra,
    };
  });
}

/** Every namespace's raw answers; rejects when containerd refuses or misses the deadline. */
export async function askContainerd(
  socketPath: string,
  timeoutMs: number,
): Promise<ContainerdNamespaceAnswer[]> {
  // Loaded only when a socket is there: @grpc/grpc-js costs a `snapshot` command ~0.3 s to load.
  const { GrpcSocket } = await import('./grpc.js');
  const deadline = Date.now() + timeoutMs;
  const sock = new GrpcSocket(socketPath);
  try {
    const nsList = await sock.unary(LIST_NAMESPACES, new Uint8Array(), {}, deadline);
    const names = messages(nsList, 1).map((n) => str(n, 1));
    return await Promise.all(
      names.map(async (namespace) => {
        const h = { [NAMESPACE_HEADER]: namespace };
        const [containers, tasks] = await Promise.all([
          sock.unaryRaw(LIST_CONTAINERS, encodeStrings([]), h, deadline),
          sock.unaryRaw(LIST_TASKS, encodeStrings([]), h, deadline),
        ]);
        return { namespace, containers, tasks };
      }),
    );
  } finally {
    sock.close();
  }
}

/** containerd's containers, null when there is no socket (not installed or not running). */
export async function listContainerd(
  socketPath = CONTAINERD_SOCKET,
  timeoutMs = 1000,
): Promise<RuntimeAnswer> {
  if (!existsSync(socketPath)) return null;
  try {
    const answers = await askContainerd(socketPath, timeoutMs);
    return { containers: answers.flatMap(parseContainerdNamespace) };
  } catch (e) {
    return { error: `containerd (${socketPath}): ${e instanceof Error ? e.message : String(e)}` };
  }
}
