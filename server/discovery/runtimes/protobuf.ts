/**
 * The little of the protobuf wire format that containerd's list and event calls need: requests
 * are (almost) empty, answers are decoded into field-number maps and picked apart by the callers.
 * Written here instead of generated code, because four messages do not justify a code generator.
 */

/** Field number -> its values in wire order (varints as numbers, length-delimited as bytes). */
export type Fields = Map<number, Array<number | Uint8Array>>;

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('protobuf: truncated varint');
    const b = buf[pos++]!;
    // Beyond 2^53 precision is lost, but the fields read here (pids, enums) are small.
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, pos];
    if (shift > 63) throw new Error('protobuf: varint too long');
  }
}

export function decodeFields(buf: Uint8Array): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    pos = afterKey;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let value: number | Uint8Array;
    if (wire === 0) [value, pos] = readVarint(buf, pos);
    else if (wire === 2) {
      const [len, start] = readVarint(buf, pos);
      if (start + len > buf.length) throw new Error('protobuf: truncated field');
      value = buf.subarray(start, start + len);
      pos = start + len;
    } else if (wire === 1) {
      value = 0;
      pos += 8;
    } else if (wire === 5) {
      value = 0;
      pos += 4;
    } else throw new Error(`protobuf: unsupported wire type ${wire}`);
    const list = out.get(field);
    if (list) list.push(value);
    else out.set(field, [value]);
  }
  return out;
}

const utf8 = new TextDecoder();

export function str(f: Fields, n: number): string {
  const v = f.get(n)?.at(-1);
  return v instanceof Uint8Array ? utf8.decode(v) : '';
}

export function num(f: Fields, n: number): number {
  const v = f.get(n)?.at(-1);
  return typeof v === 'number' ? v : 0;
}

/** A length-delimited field's bytes (an embedded message, `google.protobuf.Any.value`), empty if absent. */
export function bytes(f: Fields, n: number): Uint8Array {
  const v = f.get(n)?.at(-1);
  return v instanceof Uint8Array ? v : new Uint8Array();
}

/** Every embedded message of a repeated field. */
export function messages(f: Fields, n: number): Fields[] {
  return (f.get(n) ?? []).filter((v) => v instanceof Uint8Array).map((v) => decodeFields(v));
}

/** A `map<string, string>` field (entries are messages with key = 1, value = 2). */
export function stringMap(f: Fields, n: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of messages(f, n)) out[str(e, 1)] = str(e, 2);
  return out;
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** A message of string and embedded-message fields (repeated fields repeat the number): all that requests need. */
export function encodeStrings(fields: Array<[number, string | Uint8Array]>): Uint8Array {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (const [n, v] of fields) {
    const b = typeof v === 'string' ? enc.encode(v) : v;
    bytes.push(...varint(n * 8 + 2), ...varint(b.length), ...b);
  }
  return Uint8Array.from(bytes);
}
