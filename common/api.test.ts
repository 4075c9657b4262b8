import { describe, expect, it } from 'vitest';
import {
  ACTION_ROUTES,
  actionPath,
  errorResponse,
  isIfName,
  routeRequest,
  vethRequest,
  vethResponse,
} from './api.js';
import type { ActionRequest, ActionResponse } from './api.js';

describe('actions contract', () => {
  it('fills path parameters, URI-encoded, and refuses a missing one', () => {
    expect(actionPath('createVeth')).toBe('/veth');
    expect(actionPath('removeAddressByPath', { id: 'if-1-2', cidr: '10.1.0.1/24' })).toBe(
      '/interfaces/if-1-2/addresses/10.1.0.1%2F24',
    );
    expect(() => actionPath('deleteNamespace')).toThrow(/id/);
  });

  it('has one route per method and path', () => {
    const keys = Object.values(ACTION_ROUTES).map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('takes a request as the README shows it, with defaults, and refuses unknown keys', () => {
    const req: ActionRequest<'createVeth'> = {
      a: { namespace: 'ns-1', name: 'v0', address: '10.1.0.1/24' },
      b: { namespace: 'ns-2', name: 'v1', address: null },
    };
    expect(vethRequest.parse(req).up).toBe(true);
    expect(vethRequest.safeParse({ ...req, extra: 1 }).success).toBe(false);
    expect(vethRequest.safeParse({ ...req, a: { ...req.a, namespace: 'if-1-2' } }).success).toBe(false);
    expect(routeRequest.safeParse({ namespace: 'ns-1', dst: 'default', table: 0 }).success).toBe(false);
    expect(
      routeRequest.safeParse({ namespace: 'ns-1', dst: 'default', table: 100, dev: 'eth0' }).success,
    ).toBe(true);
  });

  it('keeps interface names to what the kernel takes', () => {
    for (const ok of ['eth0', 'v_1.a-b', 'a'.repeat(15)]) expect(isIfName(ok)).toBe(true);
    for (const bad of ['', '-x', '.x', 'a'.repeat(16), 'a/b', 'a b', 'all', 'default', '..'])
      expect(isIfName(bad)).toBe(false);
  });

  it('describes the answers the server gives', () => {
    const ok: ActionResponse<'createVeth'> = {
      op: 'op1',
      link: 'veth:if-1-2:if-2-3',
      a: { id: 'if-1-2', namespace: 'ns-1', name: 'v0', address: '10.1.0.1/24' },
      b: { id: 'if-2-3', namespace: 'ns-2', name: 'v1', address: null },
      up: true,
      rolledBack: false,
    };
    expect(vethResponse.safeParse(ok).success).toBe(true);
    expect(vethResponse.safeParse({ ...ok, a: { ...ok.a, name: 1 } }).success).toBe(false);
    const err = {
      op: 'op1',
      error: { code: 'invalid', message: 'a.name: bad', field: 'a.name' },
      rolledBack: true,
    };
    expect(errorResponse.parse(err)).toEqual({ ...err });
  });
});
