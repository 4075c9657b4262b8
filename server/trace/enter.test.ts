import { describe, expect, it } from 'vitest';
import { normalizeTopology } from '../../common/model.js';
import { iface, ns } from '../../common/testing/builders.js';
import { ActionError } from '../actions/errors.js';
import { validateTrace } from './validate.js';

const topology = normalizeTopology({
  version: 1,
  namespaces: [ns(4026532001, 'named', 'r'), ns(4026532002, 'named', 'b')],
  interfaces: [iface(4026532001, 2, 'eth0'), iface(4026532002, 2, 'eth0')],
  routes: [],
  links: [],
});
const policy = { readOnly: true, allowProbe: false };

function fieldOf(body: unknown): string | undefined {
  try {
    validateTrace(body, topology, policy);
  } catch (e) {
    if (e instanceof ActionError) return e.field;
    throw e;
  }
  return 'accepted';
}

describe('a trace that enters its namespace on an interface (a continued leg)', () => {
  it('is accepted with an interface of that namespace and a source of the same family', () => {
    const { target } = validateTrace(
      { from: 'ns-4026532001', to: '10.1.0.2', enter: { interface: 'if-4026532001-2', source: '10.2.0.5' } },
      topology,
      policy,
    );
    expect(target.enter).toEqual({ interface: 'if-4026532001-2', source: '10.2.0.5' });
  });

  it('is refused, naming the field, for anything else', () => {
    const from = 'ns-4026532001';
    const enter = (e: object) => ({ from, to: '10.1.0.2', enter: e });
    expect(fieldOf(enter({ interface: 'if-4026532002-2', source: '10.2.0.5' }))).toBe('enter.interface');
    expect(fieldOf(enter({ interface: 'if-4026532001-9', source: '10.2.0.5' }))).toBe('enter.interface');
    expect(fieldOf(enter({ interface: 'ns-1', source: '10.2.0.5' }))).toBe('enter.interface');
    expect(fieldOf(enter({ interface: 'if-4026532001-2', source: 'fd00::1' }))).toBe('enter.source');
    expect(fieldOf(enter({ interface: 'if-4026532001-2', source: '010.2.0.5' }))).toBe('enter.source');
    const ok = { interface: 'if-4026532001-2', source: '10.2.0.5' };
    expect(fieldOf({ ...enter(ok), probe: true })).toBe('enter');
    expect(fieldOf({ ...enter(ok), mark: 1 })).toBe('mark');
    expect(fieldOf(enter({ ...ok, extra: 1 }))).toBe('enter');
  });
});
