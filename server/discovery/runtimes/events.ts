/**
 * Runtimes' event streams: containerd's Events service, and the Docker-style /events stream that
 * Docker and podman's API socket both serve. Each start/stop of a container becomes one callback
 * (with the task's pid when the event carries it), so names come and go without polling runtimes.
 * A stream that breaks is reopened after a second while its socket exists.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import type { ClientRequest } from 'node:http';
import { z } from 'zod';
import { DOCKER_SOCKET } from '../docker.js';
import { CONTAINERD_SOCKET } from './containerd.js';
import { GrpcSocket } from './grpc.js';
import { PODMAN_SOCKET } from './podman.js';
import type { Fields } from './protobuf.js';
import { bytes, decodeFields, encodeStrings, num, str } from './protobuf.js';
import type { PodmanCliEvents } from './podmanEvents.js';
import { watchPodmanCliEvents } from './podmanEvents.js';
import { podmanDefaultStore } from './podmanStore.js';
import type { RuntimeEvent, RuntimeWatch } from './types.js';

export type { RuntimeEvent, RuntimeWatch } from './types.js';

export const SUBSCRIBE = '/containerd.services.events.v1.Events/Subscribe';
const RETRY_MS = 1000;

/** containerd topics that change which containers run where. */
const CONTAINERD_TOPICS = new Set([
  '/tasks/start',
  '/tasks/exit',
  '/tasks/delete',
  '/containers/update',
  '/containers/delete',
]);

/** Pure: one containerd Envelope (timestamp 1, namespace 2, topic 3, event 4 as Any) as an event. */
export function parseContainerdEnvelope(env: Fields): RuntimeEvent | null {
  const topic = str(env, 3);
  if (!CONTAINERD_TOPICS.has(topic)) return null;
  const body = decodeFields(bytes(decodeFields(bytes(env, 4)), 2));
  // TaskStart {container_id 1, pid 2}; TaskExit {container_id 1, id 2, pid 3}; TaskDelete {container_id 1, pid 2}.
  const pid = topic === '/tasks/exit' ? num(body, 3) : topic.startsWith('/tasks/') ? num(body, 2) : 0;
  const id = str(body, 1);
  // An exec'd process ending (its exec id differs from the container's) changes no namespace.
  if (topic === '/tasks/exit' && str(body, 2) !== '' && str(body, 2) !== id) return null;
  return {
    runtime: str(env, 2) === 'moby' ? 'docker' : 'containerd',
    action: topic,
    id,
    pid: pid > 0 ? pid : null,
  };
}

const dockerEventSchema = z.object({
  Type: z.string().optional(),
  Action: z.string().optional(),
  status: z.string().optional(),
  id: z.string().optional(),
  ID: z.string().optional(),
  Actor: z.object({ ID: z.string().optional() }).optional(),
});

const DOCKER_ACTIONS = new Set(['start', 'die', 'destroy', 'rename', 'died', 'remove', 'cleanup']);

/** Pure: one line of Docker's (or podman's compatible) /events stream. */
export function parseDockerEvent(line: string, runtime: string): RuntimeEvent | null {
  const e = dockerEventSchema.safeParse(JSON.parse(line));
  if (!e.success) return null;
  const action = e.data.Action ?? e.data.status ?? '';
  if ((e.data.Type ?? 'container') !== 'container' || !DOCKER_ACTIONS.has(action)) return null;
  const id = e.data.Actor?.ID ?? e.data.id ?? e.data.ID ?? '';
  return id ? { runtime, action, id, pid: null } : null;
}

export interface EventSources {
  containerdSocket?: string;
  dockerSocket?: string;
  /** podman's API socket (its /events stream, while the service runs). */
  podmanSocket?: string;
  /** podman without its service: `podman events` as one child, while podman is in use (podmanEvents.ts). */
  podmanCli?: PodmanCliEvents;
}

/** The sockets runtimes listen on by default (a missing one is retried every second, quietly). */
export const DEFAULT_EVENT_SOURCES: EventSources = {
  containerdSocket: CONTAINERD_SOCKET,
  dockerSocket: DOCKER_SOCKET,
  podmanSocket: PODMAN_SOCKET,
  podmanCli: {},
};

/**
 * Pure: the default sources, with podman's storage as podmanDefaultStore says (another root when
 * NETNS_EXPLORER_PODMAN_ROOT names one): `podman events` starts once that root exists.
 */
export function defaultEventSources(env: Readonly<Record<string, string | undefined>>): EventSources {
  const { root, args } = podmanDefaultStore(env);
  if (args.length === 0) return DEFAULT_EVENT_SOURCES;
  return { ...DEFAULT_EVENT_SOURCES, podmanCli: { storage: root, cliArgs: args } };
}

/** Watches every runtime whose socket exists now or later (checked on each retry). */
export function watchRuntimeEvents(
  sources: EventSources,
  onEvent: (e: RuntimeEvent) => void,
  /** A stream broke (the daemon died or refuses): once per outage, not on every retry. */
  onLost: (runtime: string) => void = () => undefined,
): RuntimeWatch {
  let stopped = false;
  const down = new Set<string>();
  const lost = (runtime: string) => {
    if (stopped || down.has(runtime)) return;
    down.add(runtime);
    onLost(runtime);
  };
  const closers = new Set<() => void>();
  const retry = (start: () => void) => {
    if (stopped) return;
    const t = setTimeout(start, RETRY_MS);
    t.unref();
  };

  const containerd = (socket: string) => {
    const start = (): void => {
      if (stopped) return;
      if (!existsSync(socket)) return retry(start);
      const sock = new GrpcSocket(socket);
      const call = sock.stream(SUBSCRIBE, encodeStrings([]), {});
      const close = () => {
        call.cancel();
        sock.close();
      };
      closers.add(close);
      let done = false;
      const end = () => {
        if (done) return;
        done = true;
        closers.delete(close);
        close();
        lost('containerd');
        retry(start);
      };
      call.on('data', (env: Fields) => {
        down.delete('containerd');
        const e = parseContainerdEnvelope(env);
        if (e) onEvent(e);
      });
      call.on('error', end);
      call.on('end', end);
    };
    start();
  };

  const httpEvents = (socket: string, runtime: string) => {
    const start = (): void => {
      if (stopped) return;
      if (!existsSync(socket)) return retry(start);
      const filters = encodeURIComponent(JSON.stringify({ type: ['container'] }));
      let done = false;
      const req: ClientRequest = request({
        socketPath: socket,
        path: `/events?filters=${filters}`,
        headers: { Host: runtime },
      });
      const close = () => req.destroy();
      closers.add(close);
      const end = () => {
        if (done) return;
        done = true;
        closers.delete(close);
        req.destroy();
        lost(runtime);
        retry(start);
      };
      req.on('response', (res) => {
        if (res.statusCode !== 200) return end();
        down.delete(runtime);
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            try {
              const e = parseDockerEvent(line, runtime);
              if (e) onEvent(e);
            } catch {
              // A line that is not JSON: skipped, the stream goes on.
            }
          }
        });
        res.on('end', end);
        res.on('error', end);
      });
      req.on('error', end);
      req.end();
    };
    start();
  };

  if (sources.containerdSocket) containerd(sources.containerdSocket);
  if (sources.dockerSocket) httpEvents(sources.dockerSocket, 'docker');
  if (sources.podmanSocket) httpEvents(sources.podmanSocket, 'podman');
  if (sources.podmanCli) {
    const cli = watchPodmanCliEvents(
      { ...(sources.podmanSocket ? { socketPath: sources.podmanSocket } : {}), ...sources.podmanCli },
      (e) => {
        if (!stopped) onEvent(e);
      },
      () => lost('podman events'),
    );
    closers.add(() => cli.stop());
  }
  return {
    stop() {
      stopped = true;
      for (const c of closers) c();
      closers.clear();
    },
  };
}
