/**
 * CRI-O through the CRI's own gRPC API (`runtime.v1.RuntimeService`): pod sandboxes (name, namespace)
 * and their containers (name, image, labels). The CRI gives no pids: CRI-O's containers are placed
 * by their cgroups (`crio-<id>.scope`, see parseCgroup), sandboxes included.
 */
import { existsSync } from 'node:fs';
import { bytes, decodeFields, messages, str, stringMap } from './protobuf.js';
import type { RuntimeAnswer, RuntimeContainer } from './types.js';

export const CRIO_SOCKET = '/var/run/crio/crio.sock';
export const LIST_POD_SANDBOX = '/runtime.v1.RuntimeService/ListPodSandbox';
export const LIST_CRI_CONTAINERS = '/runtime.v1.RuntimeService/ListContainers';

/**
 * Pure: ListPodSandboxResponse {repeated PodSandbox items = 1} and ListContainersResponse
 * {repeated Container containers = 1}. PodSandbox {id 1, metadata 2 {name 1, uid 2, namespace 3}};
 * Container {id 1, pod_sandbox_id 2, metadata 3 {name 1}, image 4 {image 1}, labels 8}.
 */
export function parseCri(sandboxAnswer: Uint8Array, containerAnswer: Uint8Array): RuntimeContainer[] {
  const pods = new Map<string, { pod: string; namespace: string }>();
  const out: RuntimeContainer[] = [];
  for (const sb of messages(decodeFields(sandboxAnswer), 1)) {
    const meta = decodeFields(bytes(sb, 2));
    const namespace = str(meta, 3) || 'default';
    const pod = `${namespace}/${str(meta, 1)}`;
    const id = str(sb, 1);
    pods.set(id, { pod, namespace });
    out.push({
      runtime: 'kubernetes',
      id,
      name: `${str(meta, 1)} (sandbox)`,
      image: null,
      pids: [],
      pod,
      group: { kind: 'kubernetes', name: namespace },
      infra: true,
    });
  }
  for (const c of messages(decodeFields(containerAnswer), 1)) {
    const sandbox = pods.get(str(c, 2));
    const labels = stringMap(c, 8);
    const namespace = sandbox?.namespace ?? labels['io.kubernetes.pod.namespace'] ?? null;
    out.push({
      runtime: 'kubernetes',
      id: str(c, 1),
      name: str(decodeFields(bytes(c, 3)), 1) || null,
      image: str(decodeFields(bytes(c, 4)), 1) || null,
      pids: [],
      pod: sandbox?.pod ?? null,
      group: namespace ? { kind: 'kubernetes', name: namespace } : null,
      infra: false,
    });
  }
  return out;
}

/** CRI-O's sandboxes and containers; null when its socket is missing. */
export async function listCrio(socketPath = CRIO_SOCKET, timeoutMs = 1000): Promise<RuntimeAnswer> {
  if (!existsSync(socketPath)) return null;
  // Loaded only when the socket is there (see containerd.ts).
  const { GrpcSocket } = await import('./grpc.js');
  const sock = new GrpcSocket(socketPath);
  try {
    const deadline = Date.now() + timeoutMs;
    const [sandboxes, containers] = await Promise.all([
      sock.unaryRaw(LIST_POD_SANDBOX, new Uint8Array(), {}, deadline),
      sock.unaryRaw(LIST_CRI_CONTAINERS, new Uint8Array(), {}, deadline),
    ]);
    return { containers: parseCri(sandboxes, containers) };
  } catch (e) {
    return { error: `CRI-O (${socketPath}): ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    sock.close();
  }
}
