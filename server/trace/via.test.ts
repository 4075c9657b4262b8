/** An IPv4 route via an IPv6 gateway (RTA_VIA), as `ip -j route get` prints it (recorded). */
import { describe, expect, it } from 'vitest';
import { parseRouteGet } from './facts.js';

describe('route via inet6', () => {
  it('takes the via host as the gateway and prints it as ip does', () => {
    const line =
      '[{"dst":"10.99.0.5","via":{"family":"inet6","host":"fd99::2"},"dev":"e0","flags":[],"uid":0,"cache":[]}]';
    expect(parseRouteGet(line, '')).toEqual({
      ok: true,
      route: {
        type: 'unicast',
        dst: '10.99.0.5',
        dev: 'e0',
        gateway: 'fd99::2',
        prefsrc: null,
        table: null,
        text: '10.99.0.5 via inet6 fd99::2 dev e0',
      },
    });
  });
});
