/** What the canvas and the side panel both say about an interface. Pure. */
import type { Address, Interface } from '../../../common/model.js';

/** Drawn as up: operationally up, or state UNKNOWN (loopback, tun) with the UP flag set. */
export function isUp(i: Interface): boolean {
  return i.state === 'UP' || (i.state === 'UNKNOWN' && i.flags.includes('UP'));
}

/** Administratively up (`ip link set up`): what the Set up / Set down button toggles. */
export function isAdminUp(i: Interface): boolean {
  return i.flags.includes('UP');
}

export function isLoopback(i: Interface): boolean {
  return i.kind === 'loopback' || i.name === 'lo';
}

/** Why a veth has no drawn peer, or null when it has one (or is no veth). */
export function danglingReason(i: Interface): string | null {
  if (i.kind !== 'veth' || i.peer) return null;
  return i.peerUnresolved ?? 'peer not found';
}

/** Addresses drawn on the canvas: all but IPv6 link-local ones (the side panel lists every one). */
export function canvasAddresses(i: Interface): Address[] {
  return i.addresses.filter((a) => !(a.family === 'inet6' && a.scope === 'link'));
}
