/**
 * Command line of `netns-explorer lab`, parsed and validated without side effects. The Docker host
 * is handed to the docker CLI as `-H`: only a local unix socket is accepted, so the lab never talks
 * to a remote daemon (tcp://, ssh://) and the value can never be read as another option.
 */

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';
/** sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH = 107;

export const LAB_USAGE =
  'usage: netns-explorer lab up [--docker [--docker-host unix:///path/docker.sock]]\n' +
  '       netns-explorer lab down [--docker] [--docker-host unix:///path/docker.sock]\n';

export interface LabArgs {
  action: 'up' | 'down';
  docker: boolean;
  /** Validated `unix://` URL when given on the command line, else null (up: the default daemon). */
  dockerHost: string | null;
}

/** The socket path of a `unix://` Docker host, or an error message saying why it is refused. */
export function parseDockerHost(value: string): { socket: string } | { error: string } {
  if (!value.startsWith('unix://'))
    return { error: `--docker-host must be unix:///absolute/path (got ${value})` };
  const socket = value.slice('unix://'.length);
  if (!socket.startsWith('/')) return { error: `--docker-host needs an absolute socket path (got ${value})` };
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(socket)) return { error: '--docker-host contains control characters' };
  if (socket.split('/').some((s) => s === '..' || s === '.'))
    return { error: `--docker-host must not contain '.' or '..' path segments (got ${value})` };
  if (socket.endsWith('/'))
    return { error: `--docker-host must name a socket, not a directory (got ${value})` };
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH)
    return { error: `--docker-host socket path is longer than ${MAX_SOCKET_PATH} bytes` };
  return { socket };
}

export function parseLabArgs(args: readonly string[]): LabArgs | { error: string } {
  const [action, ...rest] = args;
  if (action !== 'up' && action !== 'down') return { error: 'expected up or down' };
  let docker = false;
  let dockerHost: string | null = null;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    let value: string | undefined;
    if (a === '--docker') {
      docker = true;
      continue;
    } else if (a === '--docker-host') value = rest[++i];
    else if (a.startsWith('--docker-host=')) value = a.slice('--docker-host='.length);
    else return { error: `unknown option ${a}` };
    if (value === undefined) return { error: '--docker-host needs a value' };
    if (dockerHost !== null) return { error: '--docker-host given twice' };
    const parsed = parseDockerHost(value);
    if ('error' in parsed) return parsed;
    dockerHost = value;
  }
  if (action === 'up' && dockerHost !== null && !docker) return { error: '--docker-host needs --docker' };
  return { action, docker, dockerHost };
}
