/** What every runtime module reports about a container, before it is matched to a namespace. */
import type { ContainerGroup } from '../../../common/model.js';

export interface RuntimeContainer {
  /** `docker`, `containerd`, `kubernetes`, `podman`, `cri-o`, `lxc`. */
  runtime: string;
  id: string;
  name: string | null;
  image: string | null;
  /** Pids of its running task(s): /proc/PID/ns/net places it in a namespace. */
  pids: number[];
  /** `namespace/pod` (Kubernetes) or the podman pod's name, else null. */
  pod: string | null;
  group: ContainerGroup | null;
  /** A pod's sandbox (pause/infra) container: it holds the namespace but is no workload. */
  infra: boolean;
}

/** One runtime's answer: its containers, or why it could not be asked (null: not present here). */
export type RuntimeAnswer = { containers: RuntimeContainer[] } | { error: string } | null;

export interface RuntimeEvent {
  runtime: string;
  /** containerd topic (`/tasks/start`) or Docker/podman action (`start`). */
  action: string;
  id: string;
  /** The task's pid when the event says it (containerd task start/exit). */
  pid: number | null;
}

export interface RuntimeWatch {
  stop(): void;
}
