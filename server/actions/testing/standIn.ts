/**
 * The scene the host-change tests share: a namespace standing in for the host (HOST) with one
 * veth end (DEV, up) whose peer sits in OTHER, so host changes can be made, kept and rolled back
 * without touching the real host.
 */
import { statSync } from 'node:fs';
import { sh } from '../../../test/kernel.js';

export interface StandIn {
  host: string;
  other: string;
  dev: string;
}

/** The names of the stand-in scene under a test's unique prefix. */
export function standInNames(prefix: string): StandIn {
  return { host: `${prefix}h`, other: `${prefix}o`, dev: `${prefix}a` };
}

/** Builds the scene and answers the stand-in host's namespace inode. */
export async function buildStandIn(prefix: string): Promise<number> {
  const { host, other, dev } = standInNames(prefix);
  await sh(`
    ip netns add ${host}; ip netns add ${other}
    ip -n ${host} link add name ${dev} type veth peer name ${prefix}b netns ${other}
    ip -n ${host} link set ${dev} up; ip -n ${host} link set lo up
  `);
  return statSync(`/run/netns/${host}`).ino;
}
