/** Where the figures came from: hardware, kernel and tool versions. */
import { readFile } from 'node:fs/promises';
import { availableParallelism, release } from 'node:os';
import { IP, cmd } from './proc.js';

export interface Machine {
  nproc: number;
  cpu: string;
  kernel: string;
  iproute2: string;
  node: string;
  plotnetcfg: string | null;
  date: string;
}

export async function machine(): Promise<Machine> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const cpu = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const ipv = (await cmd([IP, '-V'])).stdout.trim();
  const plot = await cmd(['/usr/bin/dpkg-query', '-W', '-f', '${Version}', 'plotnetcfg']).catch(() => null);
  return {
    nproc: availableParallelism(),
    cpu,
    kernel: release(),
    iproute2: /iproute2-([\w.]+)/.exec(ipv)?.[1] ?? ipv,
    node: process.version,
    plotnetcfg: plot && plot.code === 0 ? plot.stdout.trim() : null,
    date: new Date().toISOString(),
  };
}
