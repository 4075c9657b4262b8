import { describe, expect, it } from 'vitest';
import { figure1 } from '../testing/fixture.js';
import { changedDrawIds } from './changes.js';

describe('changedDrawIds', () => {
  it('maps route changes to their namespace box', () => {
    const r = figure1().routes[0]!;
    expect(changedDrawIds([{ op: 'put', entity: 'route', value: r }])).toEqual(['ns-2']);
    expect(changedDrawIds([{ op: 'remove', entity: 'route', id: r.id }])).toEqual(['ns-2']);
    expect(changedDrawIds([{ op: 'remove', entity: 'interface', id: 'if-1-2' }])).toEqual(['if-1-2']);
  });
});
