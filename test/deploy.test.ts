/**
 * deploy/kubernetes: every manifest the kustomization lists validates against the Kubernetes
 * OpenAPI schemas (kubernetes-models bundles them: no cluster, no network), and the choices that
 * matter for security hold: agent not privileged, exactly the named capabilities, read-only root
 * filesystem, tokens from the Secret, the hub finding agents through the headless Service, only
 * the hub allowed to the agents' port. The schemas check types, required fields and enums, not
 * unknown fields, so the fields we rely on are asserted by name below.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { Namespace, Secret, Service } from 'kubernetes-models/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';

const DIR = new URL('../deploy/kubernetes/', import.meta.url);

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [k: string]: unknown;
}

const VALIDATORS: Record<string, (m: Manifest) => void> = {
  'v1/Namespace': (m) => new Namespace(m as never).validate(),
  'v1/Secret': (m) => new Secret(m as never).validate(),
  'v1/Service': (m) => new Service(m as never).validate(),
  'apps/v1/DaemonSet': (m) => new DaemonSet(m as never).validate(),
  'apps/v1/Deployment': (m) => new Deployment(m as never).validate(),
  'networking.k8s.io/v1/NetworkPolicy': (m) => new NetworkPolicy(m as never).validate(),
};

function validate(m: Manifest): void {
  const v = VALIDATORS[`${m.apiVersion}/${m.kind}`];
  if (!v) throw new Error(`no schema for ${m.apiVersion} ${m.kind}`);
  v(m);
}

function load(): Manifest[] {
  const k = parseYaml(readFileSync(new URL('kustomization.yaml', DIR), 'utf8')) as { resources: string[] };
  return k.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(new URL(file, DIR), 'utf8')).map((d) => d.toJS() as Manifest),
  );
}

function find<T>(all: Manifest[], kind: string, name: string): T {
  const m = all.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`${kind} ${name} missing`);
  return m as unknown as T;
}

interface Container {
  args: string[];
  env: Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  securityContext: {
    privileged?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities: { drop: string[]; add?: string[] };
  };
  volumeMounts: Array<{ mountPath: string; readOnly?: boolean }>;
}
interface PodWorkload {
  spec: {
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        hostNetwork?: boolean;
        hostPID?: boolean;
        containers: Container[];
        volumes: Array<{ hostPath?: { path: string } }>;
      };
    };
  };
}

describe('deploy/kubernetes', () => {
  const all = load();

  it('every listed manifest validates against the Kubernetes schemas', () => {
    expect(all.map((m) => m.kind).sort()).toEqual([
      'DaemonSet',
      'Deployment',
      'Namespace',
      'NetworkPolicy',
      'NetworkPolicy',
      'Secret',
      'Service',
      'Service',
    ]);
    for (const m of all) expect(() => validate(m), `${m.kind} ${m.metadata.name}`).not.toThrow();
  });

  it('the validator refuses a broken manifest (so the check above can fail)', () => {
    const ds = structuredClone(find<PodWorkload & Manifest>(all, 'DaemonSet', 'netns-explorer-agent'));
    (ds.spec.template.spec as { hostPID: unknown }).hostPID = 'yes';
    expect(() => validate(ds)).toThrow(/hostPID/);
    const svc = structuredClone(find<Manifest>(all, 'Service', 'netns-explorer-agents'));
    (svc as unknown as { spec: { ports: Array<{ protocol: string }> } }).spec.ports[0]!.protocol = 'ICMP';
    expect(() => validate(svc)).toThrow();
  });

  it('the agent: host network and PIDs, named capabilities instead of privileged, read-only root', () => {
    const ds = find<PodWorkload>(all, 'DaemonSet', 'netns-explorer-agent');
    const pod = ds.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.hostPID).toBe(true);
    const c = pod.containers[0]!;
    expect(c.securityContext.privileged).toBe(false);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
    expect(c.securityContext.capabilities.add?.sort()).toEqual([
      'DAC_READ_SEARCH',
      'NET_ADMIN',
      'SYS_ADMIN',
      'SYS_PTRACE',
    ]);
    expect(c.args[0]).toBe('agent');
    expect(c.args).not.toContain('--allow-changes');
    expect(c.env.find((e) => e.name === 'NETNS_EXPLORER_TOKEN')?.valueFrom?.secretKeyRef).toEqual({
      name: 'netns-explorer-tokens',
      key: 'agent-token',
    });
    expect(pod.volumes.flatMap((v) => (v.hostPath ? [v.hostPath.path] : [])).sort()).toEqual([
      '/run/containerd/containerd.sock',
      '/run/docker/netns',
      '/run/netns',
    ]);
    expect(c.volumeMounts.filter((m) => m.mountPath.startsWith('/run/')).every((m) => m.readOnly)).toBe(true);
  });

  it('the hub finds the agents through the headless Service and holds no host access', () => {
    const svc = find<{
      spec: { clusterIP: string; selector: Record<string, string>; ports: Array<{ port: number }> };
    }>(all, 'Service', 'netns-explorer-agents');
    expect(svc.spec.clusterIP).toBe('None');
    const agentLabels = find<PodWorkload>(all, 'DaemonSet', 'netns-explorer-agent').spec.template.metadata
      .labels;
    expect(agentLabels).toMatchObject(svc.spec.selector);
    const hub = find<PodWorkload>(all, 'Deployment', 'netns-explorer-hub').spec.template.spec;
    const args = hub.containers[0]!.args;
    expect(args[0]).toBe('hub');
    expect(args[args.indexOf('--agents-dns') + 1]).toBe(
      'netns-explorer-agents.netns-explorer.svc.cluster.local',
    );
    expect(Number(args[args.indexOf('--agent-port') + 1])).toBe(svc.spec.ports[0]!.port);
    expect(hub.hostNetwork ?? false).toBe(false);
    expect(hub.volumes ?? []).toEqual([]);
    expect(hub.containers[0]!.securityContext.capabilities.drop).toEqual(['ALL']);
  });

  it('only the hub may reach the agents, and the placeholder tokens cannot start anything', () => {
    const np = find<{
      spec: {
        podSelector: { matchLabels: Record<string, string> };
        ingress: Array<{
          from: Array<{ podSelector: { matchLabels: Record<string, string> } }>;
          ports: Array<{ port: number }>;
        }>;
      };
    }>(all, 'NetworkPolicy', 'netns-explorer-agents-from-hub-only');
    expect(np.spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe('agent');
    expect(np.spec.ingress).toHaveLength(1);
    expect(np.spec.ingress[0]!.from).toEqual([
      {
        podSelector: {
          matchLabels: { 'app.kubernetes.io/name': 'netns-explorer', 'app.kubernetes.io/component': 'hub' },
        },
      },
    ]);
    expect(np.spec.ingress[0]!.ports.map((p) => p.port)).toEqual([7879]);
    const secret = find<{ stringData: Record<string, string> }>(all, 'Secret', 'netns-explorer-tokens');
    // Shorter than the 16 characters agent and hub require: they refuse to run with them.
    for (const v of Object.values(secret.stringData)) expect(v.length).toBeLessThan(16);
  });
});
