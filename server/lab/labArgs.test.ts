import { describe, expect, it } from 'vitest';
import { parseDockerHost, parseLabArgs } from './labArgs.js';
import { emptyState, labStateSchema } from './state.js';

describe('lab command line', () => {
  it('accepts a unix:// socket with an absolute path, in both spellings', () => {
    expect(parseDockerHost('unix:///tmp/x-docker/docker.sock')).toEqual({
      socket: '/tmp/x-docker/docker.sock',
    });
    expect(parseLabArgs(['up', '--docker', '--docker-host', 'unix:///run/d.sock'])).toEqual({
      action: 'up',
      docker: true,
      dockerHost: 'unix:///run/d.sock',
    });
    expect(parseLabArgs(['down', '--docker-host=unix:///run/d.sock'])).toEqual({
      action: 'down',
      docker: false,
      dockerHost: 'unix:///run/d.sock',
    });
    expect(parseLabArgs(['up'])).toEqual({ action: 'up', docker: false, dockerHost: null });
  });

  it('refuses remote, relative, dotted, directory, over-long and control-character hosts', () => {
    for (const bad of [
      'tcp://127.0.0.1:2375',
      'ssh://root@example.org',
      '/var/run/docker.sock',
      'unix://var/run/docker.sock',
      'unix://',
      'unix:///run/../tmp/d.sock',
      'unix:///run/./d.sock',
      'unix:///run/',
      `unix:///${'a'.repeat(120)}`,
      'unix:///run/d.sock\n-H tcp://x',
      '-Htcp://x',
    ]) {
      expect(parseDockerHost(bad), bad).toHaveProperty('error');
      expect(parseLabArgs(['up', '--docker', '--docker-host', bad]), bad).toHaveProperty('error');
    }
  });

  it('refuses unknown options, a missing or repeated value, and --docker-host on a non-docker up', () => {
    for (const args of [
      ['up', '--dockr'],
      ['sideways'],
      [],
      ['up', '--docker', '--docker-host'],
      ['down', '--docker-host', 'unix:///a.sock', '--docker-host', 'unix:///b.sock'],
      ['up', '--docker-host', 'unix:///a.sock'],
    ]) {
      expect(parseLabArgs(args), args.join(' ')).toHaveProperty('error');
    }
  });

  it('reads the docker host from state, defaulting for older files and refusing a remote one', () => {
    const s = { ...emptyState('docker'), docker: { containers: [], network: null, importedImage: null } };
    expect(labStateSchema.parse(s).docker?.host).toBe('unix:///var/run/docker.sock');
    const bad = { ...s, docker: { ...s.docker, host: 'tcp://10.0.0.1:2375' } };
    expect(labStateSchema.safeParse(bad).success).toBe(false);
  });
});
