/**
 * Pure reading of the labels runtimes and orchestrators put on containers: Kubernetes' CRI labels
 * (pods without any Kubernetes API), nerdctl's name and docker compose's project.
 */
import type { ContainerGroup } from '../../../common/model.js';

export const K8S_POD_NAME = 'io.kubernetes.pod.name';
export const K8S_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const K8S_POD_UID = 'io.kubernetes.pod.uid';
export const K8S_CONTAINER_NAME = 'io.kubernetes.container.name';
/** containerd's CRI: `sandbox` or `container`. */
export const CRI_CONTAINERD_KIND = 'io.cri-containerd.kind';
/** dockershim / cri-dockerd: `podsandbox` or `container`. */
export const DOCKER_KUBERNETES_TYPE = 'io.kubernetes.docker.type';
export const NERDCTL_NAME = 'nerdctl/name';
export const COMPOSE_PROJECT = 'com.docker.compose.project';

export interface LabelFacts {
  name: string | null;
  pod: string | null;
  group: ContainerGroup | null;
  infra: boolean;
  kubernetes: boolean;
}

export function readLabels(labels: Readonly<Record<string, string>>): LabelFacts {
  const podName = labels[K8S_POD_NAME];
  if (podName) {
    const ns = labels[K8S_POD_NAMESPACE] || 'default';
    const kind = labels[CRI_CONTAINERD_KIND] ?? labels[DOCKER_KUBERNETES_TYPE] ?? '';
    // A sandbox has no container name label; the kubelet gives the pause container the name POD.
    const containerName = labels[K8S_CONTAINER_NAME];
    const infra = kind === 'sandbox' || kind === 'podsandbox' || !containerName || containerName === 'POD';
    return {
      name: infra ? `${podName} (sandbox)` : containerName,
      pod: `${ns}/${podName}`,
      group: { kind: 'kubernetes', name: ns },
      infra,
      kubernetes: true,
    };
  }
  const project = labels[COMPOSE_PROJECT];
  return {
    name: labels[NERDCTL_NAME] || null,
    pod: null,
    group: project ? { kind: 'compose', name: project } : null,
    infra: false,
    kubernetes: false,
  };
}
