import { describe, expect, it } from 'vitest';
import { figure1 } from '../testing/fixture.js';
import { search } from './search.js';

describe('search', () => {
  const t = figure1();
  it('finds an interface by IP with or without prefix length', () => {
    expect(search(t, '172.17.0.4')[0]).toMatchObject({ id: 'if-2-13', kind: 'interface', rank: 0 });
    expect(search(t, '172.17.0.4/16')[0]?.id).toBe('if-2-13');
  });
  it('finds namespaces by name and interfaces by MAC, exact matches first', () => {
    expect(search(t, 'netshoot-b')[0]).toMatchObject({ id: 'ns-3', kind: 'namespace' });
    expect(search(t, '02:42:ac:11:00:04').length).toBeGreaterThan(1);
    expect(search(t, 'docker0')[0]?.id).toBe('if-1-3');
  });
  it('returns nothing for blank or unknown queries', () => {
    expect(search(t, '  ')).toEqual([]);
    expect(search(t, 'zzz')).toEqual([]);
  });
});
