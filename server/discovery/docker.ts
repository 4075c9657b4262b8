/** Docker container names and images from the Engine API over its unix socket (never the CLI). */
import { request } from 'node:http';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { ContainerGroup } from '../../common/model.js';
import { readLabels } from './runtimes/labels.js';

export const DOCKER_SOCKET = '/var/run/docker.sock';

export interface DockerContainer {
  id: string;
  name: string | null;
  image: string | null;
  /** HostConfig.NetworkMode: `bridge`, `host`, `container:ID`, `none`, ... */
  networkMode: string | null;
  /** docker compose project, from the container's labels. */
  group: ContainerGroup | null;
}

const listSchema = z.array(
  z.object({
    Id: z.string(),
    Names: z.array(z.string()).nullable().optional(),
    Image: z.string().optional(),
    HostConfig: z.object({ NetworkMode: z.string().optional() }).optional(),
    Labels: z.record(z.string(), z.string()).nullable().optional(),
  }),
);

export function parseContainerList(json: unknown): Map<string, DockerContainer> {
  const out = new Map<string, DockerContainer>();
  for (const c of listSchema.parse(json)) {
    const name = c.Names?.[0];
    out.set(c.Id, {
      id: c.Id,
      name: name ? name.replace(/^\//, '') : null,
      image: c.Image ?? null,
      networkMode: c.HostConfig?.NetworkMode ?? null,
      group: readLabels(c.Labels ?? {}).group,
    });
  }
  return out;
}

/** Running containers, or null (with no error) when there is no Docker socket. */
export async function listDockerContainers(
  socketPath = DOCKER_SOCKET,
  timeoutMs = 1500,
): Promise<Map<string, DockerContainer> | null> {
  if (!existsSync(socketPath)) return null;
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path: '/containers/json',
        method: 'GET',
        timeout: timeoutMs,
        headers: { Host: 'docker' },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(data) : reject(new Error(`Docker API answered ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Docker API did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
  return parseContainerList(JSON.parse(body));
}
