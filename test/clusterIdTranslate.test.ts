import { describe, expect, it } from 'vitest';
import { localiseParam, localiseRequest, qualifyAnswer } from '../server/cluster/idTranslate.js';

describe('ids across the hub', () => {
  it('localises every id of a request to one node, names the field otherwise', () => {
    const veth = {
      a: { namespace: 'node-b/ns-10', name: 'ns-11' },
      b: { namespace: 'node-b/ns-11', name: 'x', address: null },
      up: true,
    };
    expect(localiseRequest(veth, null)).toEqual({
      ok: true,
      host: 'node-b',
      value: {
        a: { namespace: 'ns-10', name: 'ns-11' },
        b: { namespace: 'ns-11', name: 'x', address: null },
        up: true,
      },
    });
    const mixed = localiseRequest({ ...veth, b: { namespace: 'node-c/ns-11', name: 'x' } }, null);
    expect(mixed).toMatchObject({ ok: false, field: 'b.namespace' });
    expect(localiseRequest({ namespace: 'ns-10', name: 'br0' }, null)).toMatchObject({
      ok: false,
      field: 'namespace',
    });
    expect(localiseRequest({ bridge: 'node-a/if-1-2' }, 'node-b')).toMatchObject({
      ok: false,
      field: 'bridge',
    });
    expect(localiseRequest({ bridge: null }, 'node-b')).toEqual({
      ok: true,
      host: 'node-b',
      value: { bridge: null },
    });
    expect(localiseParam('node-a/if-1-2', 'id')).toEqual({ ok: true, host: 'node-a', value: 'if-1-2' });
    expect(localiseParam('if-1-2', 'id')).toMatchObject({ ok: false, field: 'id' });
  });

  it('qualifies model ids in answers, never names that look like ids', () => {
    const answer = {
      op: 'op-1',
      a: { id: 'if-10-3', namespace: 'ns-10', name: 'ns-12', address: null },
      link: 'veth:if-10-3:if-11-2',
      deleted: ['if-10-3', 'if-11-2'],
      hops: [{ namespace: 'ns-10', in: null, out: 'if-10-3', detail: 'dev ns-12' }],
      route: { namespace: 'ns-10', dst: '10.0.0.0/8' },
      error: { code: 'x', message: 'ns-10 is gone' },
    };
    expect(qualifyAnswer('n1', answer)).toEqual({
      op: 'op-1',
      a: { id: 'n1/if-10-3', namespace: 'n1/ns-10', name: 'ns-12', address: null },
      link: 'n1/veth:if-10-3:if-11-2',
      deleted: ['n1/if-10-3', 'n1/if-11-2'],
      hops: [{ namespace: 'n1/ns-10', in: null, out: 'n1/if-10-3', detail: 'dev ns-12' }],
      route: { namespace: 'n1/ns-10', dst: '10.0.0.0/8' },
      error: { code: 'x', message: 'ns-10 is gone' },
    });
  });
});
