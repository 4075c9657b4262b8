import { describe, expect, it } from 'vitest';
import { deviceTag, parseTag, TAG_PREFIX } from './context.js';
import { processStart } from './intents.js';

describe('device tags', () => {
  it('name the op and this server process, and read back', () => {
    const tag = deviceTag('c0ffee12');
    expect(tag.startsWith(`${TAG_PREFIX}c0ffee12@${process.pid}.`)).toBe(true);
    expect(parseTag(tag)).toEqual({
      op: 'c0ffee12',
      writer: { pid: process.pid, start: processStart('self') },
    });
  });

  it('read tags written before writers were named, and refuse foreign aliases', () => {
    expect(parseTag(`${TAG_PREFIX}0badc0de`)).toEqual({ op: '0badc0de', writer: null });
    expect(parseTag(`${TAG_PREFIX}0badc0de@12x.5`)).toEqual({ op: '0badc0de@12x.5', writer: null });
    expect(parseTag('decoy')).toBeNull();
    expect(parseTag(null)).toBeNull();
  });
});
