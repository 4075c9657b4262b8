/**
 * The native reader's parsers over recorded raw replies (test/recordTraceFixtures.ts): links,
 * neighbours, route decisions (forwarded, unreachable, local, refused by rp_filter), the bridge's
 * FDB, sysctls and listeners equal what `ip`, `bridge`, grep and `ss` answered in the same
 * namespaces at the same moment. Also the requests' bytes where iproute2's are known.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRouteNames } from '../native/names.js';
import type { FdbFacts, NeighFacts } from './facts.js';
import {
  fdbFacts,
  linkFacts,
  neighFacts,
  nftGeneration,
  routeAnswer,
  socketRows,
  sysctlFacts,
} from './nlReplies.js';
import { nlMessage, routeGet } from './nlRequests.js';
import type { NamespaceReads, RouteQuery } from './reader.js';
import type { SocketRow } from '../../common/inspect.js';

interface Reply {
  bytes: string;
  errno: number;
  message: string | null;
}
interface Fixture {
  queries: RouteQuery[];
  r: { replies: Reply[]; files: Array<{ path: string; value: string | null }> };
  b: { replies: Reply[] };
  byProcesses: {
    r: NamespaceReads;
    fdb: FdbFacts[];
    sysctls: Record<string, string>;
    listeners: SocketRow[];
  };
}

const fx = JSON.parse(
  readFileSync(new URL('./__fixtures__/native-router.json', import.meta.url), 'utf8'),
) as Fixture;
const raw = (r: Reply) => ({ ...r, bytes: Buffer.from(r.bytes, 'base64') });
const names = loadRouteNames();
const r = fx.r.replies.map(raw);
const links = linkFacts(r[0]!.bytes, r[1]!.bytes, names);
// A neighbour's state may have moved on (REACHABLE -> STALE) between the two reads.
const stable = (n: NeighFacts[]) => n.map((x) => ({ ...x, state: x.state.includes('FAILED') }));

describe('native replies parsed as the tools print them', () => {
  it('links and neighbours', () => {
    expect(links).toEqual(fx.byProcesses.r.links);
    expect(stable(neighFacts(r[2]!.bytes, links))).toEqual(stable(fx.byProcesses.r.neigh));
  });

  it('route decisions and refusals', () => {
    const answers = fx.queries.map((_, i) => routeAnswer(r[4 + i]!, links, names));
    expect(answers).toEqual(fx.byProcesses.r.routes.map((x) => x.route));
    expect(answers.map((a) => a.ok)).toEqual([true, false, true, true, false]);
  });

  it('the FDB, sysctls and listeners', () => {
    expect(fdbFacts(r[3]!.bytes, links, 'br0')).toEqual(fx.byProcesses.fdb);
    expect(Object.fromEntries(sysctlFacts(fx.r.files).values)).toEqual(fx.byProcesses.sysctls);
    const b = fx.b.replies.map(raw);
    const bLinks = linkFacts(b[0]!.bytes, b[1]!.bytes, names);
    const rows = socketRows(
      b.slice(2).map((x) => x.bytes),
      ['udp', 'udp', 'tcp', 'tcp'],
      bLinks,
    );
    expect(rows).toEqual(fx.byProcesses.listeners);
    expect(rows.map((x) => `${x.proto} ${x.local}:${x.port}`)).toEqual(['udp 10.72.2.1:8072', 'tcp *:8071']);
  });
});

describe('requests', () => {
  it('route get as iproute2 sends it (strace of `ip route get 127.0.0.1 from 127.0.0.1 iif lo mark 5`)', () => {
    const q = { to: '127.0.0.1', from: '127.0.0.1', iif: 'lo', mark: 5 };
    const hex = routeGet(q, 1).toString('hex');
    // header: len 60, RTM_GETROUTE, NLM_F_REQUEST; rtmsg: inet, /32 from /32, RTM_F_LOOKUP_TABLE.
    expect(hex.slice(0, 16)).toBe('3c0000001a000100');
    expect(hex.slice(32, 56)).toBe('022020000000000000100000');
    expect(hex.slice(56)).toBe(
      '080001007f000001' + '080002007f000001' + '0800030001000000' + '0800100005000000',
    );
  });

  it('a generation reply gives its id (network order)', () => {
    const body = Buffer.from('00000000' + '0800010000000102', 'hex');
    expect(nftGeneration(nlMessage((10 << 8) | 15, 0, body))).toBe(258);
    expect(nftGeneration(Buffer.alloc(0))).toBeNull();
  });
});
