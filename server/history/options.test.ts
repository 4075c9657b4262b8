import { describe, expect, it } from 'vitest';
import { DEFAULT_HISTORY_BYTES, DEFAULT_HISTORY_DIR, extractHistoryArgs, parseSize } from './options.js';

describe('history options', () => {
  it('defaults to the system directory and 200 MB, leaving other arguments alone', () => {
    expect(extractHistoryArgs(['serve', '--port', '0'])).toEqual({
      ok: true,
      options: { dir: DEFAULT_HISTORY_DIR, maxBytes: DEFAULT_HISTORY_BYTES },
      rest: ['serve', '--port', '0'],
    });
  });

  it('takes --history, --history-size (both spellings) and --no-history', () => {
    expect(extractHistoryArgs(['--history', '/tmp/h', '--history-size=50M', '--verbose'])).toEqual({
      ok: true,
      options: { dir: '/tmp/h', maxBytes: 50 * 1024 * 1024 },
      rest: ['--verbose'],
    });
    const off = extractHistoryArgs(['--no-history']);
    expect(off.ok && off.options.dir).toBe(null);
  });

  it('refuses a relative directory, a missing value and a size that is not one', () => {
    expect(extractHistoryArgs(['--history', 'rel'])).toEqual({
      ok: false,
      error: '--history must be an absolute path, got "rel"',
    });
    expect(extractHistoryArgs(['--history'])).toEqual({ ok: false, error: '--history needs a value' });
    for (const bad of ['lots', '10K', '-5M', '1T']) {
      const r = extractHistoryArgs(['--history-size', bad]);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error).toMatch(/^--history-size must be a size/);
    }
  });

  it('reads sizes with units', () => {
    expect(parseSize('200M')).toBe(200 * 1024 ** 2);
    expect(parseSize('1G')).toBe(1024 ** 3);
    expect(parseSize('200MB')).toBe(200 * 1024 ** 2);
    expect(parseSize('2000000')).toBe(2_000_000);
    expect(parseSize('2 X')).toBe(null);
  });
});
