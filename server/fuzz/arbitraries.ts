/**
 * Generators for the live-server fuzz: HTTP requests to every route (any method, path segments,
 * credentials, Origin, Host, Content-Type and body) and WebSocket frames (any JSON value, wrong
 * types, huge numbers, deep nesting, unknown types, binary). Generated values can never form a
 * valid mutation: ids have the right shape but name nothing, and no generated string is a valid
 * interface or namespace name, so a request can only be refused or read.
 */
import fc from 'fast-check';
import { isIfName, NETNS_NAME_RE } from '../../common/api.js';
import { HOSTILE_STRINGS } from './hostileStrings.js';

/** The shared hostile strings and what only the fuzz sends (a long one that still fits a URL). */
const HOSTILE = [...HOSTILE_STRINGS, 'x'.repeat(5000), '0.0.0.0/1', '__proto__', 'constructor', 'null'];

/** A string that no validator accepts as a name, so no generated body can create anything. */
export const notAName = fc
  .oneof(
    fc.constantFrom(...HOSTILE),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
  )
  .filter((s) => !isIfName(s) && !NETNS_NAME_RE.test(s));

/** Ids shaped like the server's but naming nothing (inodes and ifindexes far out of range). */
const fakeId = fc.oneof(
  fc.constantFrom(
    'ns-1',
    'ns-0',
    'if-1-1',
    'if-0-0',
    'rt-1',
    `ns-${'9'.repeat(20)}`,
    'cap-000000000000',
    'cap-ffffffffffff',
    'cp-00000000',
  ),
  notAName,
);

const FIELDS = [
  'namespace',
  'name',
  'a',
  'b',
  'up',
  'cidr',
  'dst',
  'gateway',
  'dev',
  'table',
  'metric',
  'family',
  'bridge',
  'id',
  'address',
  'type',
  'epoch',
  'lastSeq',
  'keep',
  'interfaces',
  'filter',
  'maxSeconds',
  'maxBytes',
  'from',
  'to',
  'protocol',
  'port',
  'probe',
];

const hugeNumber = fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -0, 4294967296, -1, 0.5, Number.MAX_VALUE);

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  notAName,
  fakeId,
  hugeNumber,
  fc.boolean(),
  fc.constant(null),
  fc.integer(),
);

/** Objects with the fields the API knows, holding values it must refuse. */
const nearMiss: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    leaf,
    fc.dictionary(fc.constantFrom(...FIELDS), tie('v'), { maxKeys: 5 }),
    fc.array(tie('v'), { maxLength: 4 }),
  ),
})).v;

/** `[[[[...]]]]` or `{"a":{"a":...}}` nested far deeper than any parser default. */
const deep = fc
  .tuple(fc.integer({ min: 100, max: 20000 }), fc.boolean())
  .map(([n, arr]) => (arr ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n)));

export const jsonText: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  nearMiss.map((v) => JSON.stringify(v) ?? 'null'),
  deep,
  fc.string({ maxLength: 200 }),
  fc.constantFrom('null', '1e999', '-', '{', '"\\ud800"', '{"__proto__":{"x":1}}', 'x'.repeat(20_000)),
);

export type WsFrame = { binary: false; text: string } | { binary: true; data: Uint8Array };

export const wsFrame: fc.Arbitrary<WsFrame> = fc.oneof(
  jsonText.map((text) => ({ binary: false as const, text })),
  fc
    .record(
      {
        type: fc.oneof(fc.constantFrom('resync', 'hello', 'snapshot', 'delta', 'HELLO', ''), notAName),
        epoch: fc.oneof(fc.string({ maxLength: 80 }), hugeNumber, fc.constant(null)),
        lastSeq: fc.oneof(hugeNumber, fc.integer(), fc.string({ maxLength: 5 })),
      },
      { requiredKeys: ['type'] },
    )
    .map((m) => ({ binary: false as const, text: JSON.stringify(m) })),
  fc.uint8Array({ maxLength: 256 }).map((data) => ({ binary: true as const, data })),
);

const ROUTES: Array<[string[], string]> = [
  [['GET', 'HEAD'], '/api/health'],
  [['GET'], '/api/topology'],
  [['GET'], '/api/session'],
  [['POST'], '/api/veth'],
  [['DELETE'], '/api/interfaces/:id'],
  [['POST'], '/api/interfaces/:id/state'],
  [['POST', 'DELETE'], '/api/interfaces/:id/addresses'],
  [['DELETE'], '/api/interfaces/:id/addresses/:x'],
  [['POST'], '/api/interfaces/:id/master'],
  [['POST'], '/api/bridges'],
  [['POST', 'DELETE'], '/api/routes'],
  [['POST'], '/api/namespaces'],
  [['DELETE'], '/api/namespaces/:id'],
  [['GET'], '/api/namespaces/:id/sockets'],
  [['GET'], '/api/namespaces/:id/firewall'],
  [['POST'], '/api/checkpoints/:id'],
  [['POST'], '/api/trace'],
  [['GET', 'POST'], '/api/captures'],
  [['GET', 'DELETE'], '/api/captures/:id'],
  [['GET'], '/api/captures/:id/pcapng'],
  [['GET'], '/api/captures/:id/live'],
  [['GET'], '/api/topology?at=:x'],
  [['GET'], '/api/changes?from=:id&to=:x'],
  [['GET'], '/api/history'],
  [['GET'], '/'],
  [['GET'], '/index.html'],
  [['GET'], '/assets/:x'],
  [['GET'], '/api/live'],
  [['GET'], '/:x'],
  [['GET'], '/api/:x'],
];
const ANY_METHOD = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export type Credential = 'none' | 'bearer' | 'wrongBearer' | 'cookie' | 'wrongCookie';
export type OriginChoice = 'none' | 'own' | 'evil' | 'null';
export type HostChoice = 'own' | 'evil' | 'missing' | 'twice';

export interface FuzzRequest {
  method: string;
  path: string;
  credential: Credential;
  origin: OriginChoice;
  host: HostChoice;
  contentType: string | null;
  extraHeaders: Array<[string, string]>;
  body: string | null;
}

const segment = fc.oneof(fakeId, notAName).map((s) => encodeURIComponent(s));
const rawSegment = fc.constantFrom(
  '..',
  '%2e%2e',
  '%2f',
  '%00',
  '..%2f..%2fetc%2fpasswd',
  '.%2e',
  '%',
  '%zz',
);

const path = fc
  .tuple(
    fc.constantFrom(...ROUTES),
    fc.array(fc.oneof(segment, rawSegment), { minLength: 2, maxLength: 2 }),
    fc.option(fc.string({ maxLength: 30 }).map(encodeURIComponent)),
    fc.boolean(),
  )
  .map(([[methods, template], [a, b], query, tokenQuery]) => ({
    methods,
    path:
      template.replace(':id', a!).replace(':x', b!) +
      (tokenQuery || query ? (template.includes('?') ? '&' : '?') : '') +
      (tokenQuery ? `token=${query ?? ''}` : (query ?? '')),
  }));

const headerName = fc.constantFrom(
  'Sec-Fetch-Site',
  'Sec-Fetch-Dest',
  'X-CSRF-Token',
  'Range',
  'If-None-Match',
  'Accept-Encoding',
  'Upgrade',
  'Connection',
  'Expect',
  'X-Forwarded-For',
  'Content-Encoding',
);
const headerValue = fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));

/** True when a body names something that could be created (a valid `name` at the top or in `a`/`b`). */
function namesSomething(body: string | null): boolean {
  let v: unknown;
  try {
    v = JSON.parse(body ?? 'null');
  } catch {
    return false;
  }
  const named = (o: unknown): boolean =>
    !!o &&
    typeof o === 'object' &&
    typeof (o as { name?: unknown }).name === 'string' &&
    (isIfName((o as { name: string }).name) || NETNS_NAME_RE.test((o as { name: string }).name));
  return (
    named(v) ||
    (!!v && typeof v === 'object' && (named((v as { a?: unknown }).a) || named((v as { b?: unknown }).b)))
  );
}

export const httpRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    route: path,
    anyMethod: fc.boolean(),
    method: fc.constantFrom(...ANY_METHOD),
    credential: fc.constantFrom<Credential>(
      'none',
      'bearer',
      'wrongBearer',
      'cookie',
      'wrongCookie',
      'bearer',
      'cookie',
    ),
    origin: fc.constantFrom<OriginChoice>('none', 'own', 'evil', 'null', 'own'),
    host: fc.constantFrom<HostChoice>('own', 'own', 'own', 'evil', 'missing', 'twice'),
    contentType: fc.option(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-16',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        '',
      ),
      { nil: null },
    ),
    extraHeaders: fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }),
    body: fc.option(jsonText, { nil: null }),
  })
  .map((r) => ({
    method: r.anyMethod ? r.method : r.route.methods[r.method.length % r.route.methods.length]!,
    path: r.route.path,
    credential: r.credential,
    origin: r.origin,
    host: r.host,
    contentType: r.contentType,
    extraHeaders: r.extraHeaders,
    body: r.body,
  }))
  // The fuzz must only ever be refused or read: never let it create a namespace or device.
  .filter((r) => !namesSomething(r.body));
