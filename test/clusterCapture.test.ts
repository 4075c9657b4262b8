import { describe, expect, it } from 'vitest';
import { CAPTURE_LIMITS, emptyCounters } from '../common/capture.js';
import type { CaptureInfo, CaptureServerMessage } from '../common/capture.js';
import { parseAgentArgs } from '../server/cluster/agentCommand.js';
import {
  localiseCaptureRequest,
  parseCaptureMessage,
  qualifyCaptureMessage,
} from '../server/cluster/captureTranslate.js';

const agentInfo: CaptureInfo = {
  id: 'cap-aaaaaaaaaaaa',
  interfaces: [{ id: 'if-4026532001-2', namespace: 'ns-4026532001', name: 'eth0', label: 'pod1/eth0' }],
  filter: 'icmp',
  maxSeconds: 300,
  maxBytes: 100_000_000,
  startedAt: '2026-12-04T17:00:00.000Z',
  endedAt: null,
  running: true,
  endReason: null,
  counters: { ...emptyCounters(), packets: 3, notShown: 1, perInterface: { 'if-4026532001-2': 3 } },
};

describe('packet capture across the hub', () => {
  it('an agent captures only with --allow-capture, also when read-only', () => {
    const env = { NETNS_EXPLORER_TOKEN: 'x'.repeat(32) };
    const off = parseAgentArgs([], env, true, 'box');
    expect(off.ok === true && off.options.capture).toBe(false);
    const on = parseAgentArgs(['--allow-capture'], env, true, 'box');
    expect(on.ok === true && on.options).toMatchObject({
      capture: true,
      readOnly: true,
      captureWhenReadOnly: true,
    });
    expect(parseAgentArgs(['--no-capture'], env, true, 'box')).toMatchObject({ ok: false });
  });

  it('localises a request naming one node, with the single-host defaults', () => {
    const r = localiseCaptureRequest({
      interfaces: ['node-b/if-4026532001-2', 'node-b/if-4026532002-3'],
      filter: 'icmp',
    });
    expect(r).toEqual({
      ok: true,
      host: 'node-b',
      request: {
        interfaces: ['if-4026532001-2', 'if-4026532002-3'],
        filter: 'icmp',
        maxSeconds: CAPTURE_LIMITS.defaultSeconds,
        maxBytes: CAPTURE_LIMITS.defaultBytes,
      },
    });
  });

  it('refuses, naming the field: two nodes, bare ids, the single-host limits', () => {
    const twoNodes = localiseCaptureRequest({ interfaces: ['node-b/if-1-2', 'node-c/if-1-2'] });
    expect(twoNodes).toMatchObject({ ok: false, field: 'interfaces.1' });
    expect(localiseCaptureRequest({ interfaces: ['if-1-2'] })).toMatchObject({
      ok: false,
      field: 'interfaces.0',
    });
    expect(localiseCaptureRequest({ interfaces: ['node-b/ns-1'] })).toMatchObject({
      ok: false,
      field: 'interfaces.0',
    });
    expect(localiseCaptureRequest({ interfaces: ['node-b/if-1-2'], maxSeconds: 7200 })).toMatchObject({
      ok: false,
      field: 'maxSeconds',
    });
    expect(localiseCaptureRequest({ interfaces: [] })).toMatchObject({ ok: false, field: 'interfaces' });
    expect(localiseCaptureRequest({ interfaces: ['node-b/if-1-2'], extra: 1 })).toMatchObject({ ok: false });
    expect(localiseCaptureRequest(null)).toMatchObject({ ok: false, field: 'interfaces' });
  });

  it("qualifies the agent's messages: the hub's id, ids, perInterface keys, labels naming the node", () => {
    const hello = qualifyCaptureMessage('node-b', 'cap-bbbbbbbbbbbb', { type: 'hello', capture: agentInfo });
    expect(hello).toEqual({
      type: 'hello',
      capture: {
        ...agentInfo,
        id: 'cap-bbbbbbbbbbbb',
        interfaces: [
          {
            id: 'node-b/if-4026532001-2',
            namespace: 'node-b/ns-4026532001',
            name: 'eth0',
            label: 'node-b/pod1/eth0',
          },
        ],
        counters: { ...agentInfo.counters, perInterface: { 'node-b/if-4026532001-2': 3 } },
      },
    });
    const packets: CaptureServerMessage = {
      type: 'packets',
      packets: [
        {
          n: 0,
          tsUs: 1,
          iface: 'if-4026532001-2',
          src: '10.1.0.1',
          dst: '10.1.0.2',
          protocol: 'ICMP',
          length: 98,
          summary: 'echo request',
        },
      ],
      counters: agentInfo.counters,
    };
    const q = qualifyCaptureMessage('node-b', 'cap-bbbbbbbbbbbb', packets, 5);
    expect(q.type === 'packets' && q.packets[0]!.iface).toBe('node-b/if-4026532001-2');
    expect(q.type === 'packets' && q.counters.notShown).toBe(6);
  });

  it('takes only the live messages it knows', () => {
    expect(parseCaptureMessage('{"type":"counters","counters":{}}')).not.toBeNull();
    expect(parseCaptureMessage('{"type":"packets","counters":{}}')).toBeNull();
    expect(parseCaptureMessage('{"type":"snapshot"}')).toBeNull();
    expect(parseCaptureMessage('not json')).toBeNull();
  });
});
