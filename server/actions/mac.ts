/**
 * MAC addresses netns-explorer chooses for the devices it creates. The kernel ignores an alias
 * given to `ip link add`, so the `netns-explorer:<op>` tag needs a second command; a MAC, though,
 * is accepted by the create itself (for both veth ends and for a bridge). Recorded in the intent
 * journal before the create, name + namespace + this random MAC identify a device we made even
 * when a crash came before the tag, so crash recovery can remove it without guessing.
 */
import { randomBytes } from 'node:crypto';

/** Lower-case colon form, as `ip -j` prints `address`. */
export const MAC_RE = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

/**
 * A random locally administered (bit 1 of the first octet set) unicast (bit 0 clear) MAC: it
 * can never collide with a vendor-assigned address, and a multicast one would be refused by the
 * kernel. 46 random bits make an accidental match with a user's device negligible.
 */
export function randomMac(bytes: Uint8Array = randomBytes(6)): string {
  if (bytes.length !== 6) throw new Error('a MAC address has 6 bytes');
  const b = Uint8Array.from(bytes);
  b[0] = (b[0]! & 0xfc) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Same MAC, whatever the letter case; false when either is missing or malformed. */
export function sameMac(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = a.toLowerCase();
  return MAC_RE.test(x) && x === b.toLowerCase();
}
