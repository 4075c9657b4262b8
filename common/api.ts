/**
 * The actions API contract: for every route, its method, path, request body and success body,
 * as zod schemas. The server validates requests with them (server/actions/) and checks its
 * answers against them; the page types its calls from them, so a renamed field fails the type
 * check on both sides. server/actions/README.md describes the routes in words.
 *
 * Field rules are stricter than the kernel on purpose. Values that need canonicalising (CIDRs,
 * gateways) stay raw text here: the server parses them so its error names the field.
 */
import { z } from 'zod';
import { isIfId, isNsId } from './ids.js';

/** Interface names: 1-15 ASCII bytes, no leading `-`/`.`, none of `/ : % # whitespace quotes`. */
export const IFNAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;
/** Names under /run/netns (ip's NAME_MAX is larger; 64 is plenty and keeps paths sane). */
export const NETNS_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Names the kernel refuses although they match the charset: they would collide with
 * /proc/sys/net/ipv{4,6}/conf/{all,default} (found by the differential test, ifname.kernel.test.ts).
 */
const KERNEL_RESERVED = new Set(['all', 'default']);

export function isIfName(s: string): boolean {
  return IFNAME_RE.test(s) && s !== '.' && s !== '..' && !KERNEL_RESERVED.has(s);
}

const str = () => z.string({ error: 'must be a string' });
const bool = () => z.boolean({ error: 'must be true or false' });

export const ifName = str().refine(isIfName, {
  message: 'interface name must be 1-15 characters of letters, digits, _ . - and not start with - or .',
});
export const netnsName = str().refine((s) => NETNS_NAME_RE.test(s), {
  message: 'namespace name must be 1-64 characters of letters, digits, _ . - and not start with - or .',
});
export const nsIdSchema = str().refine(isNsId, { message: 'namespace id must look like ns-<inode>' });
export const ifIdSchema = str().refine(isIfId, {
  message: 'interface id must look like if-<inode>-<ifindex>',
});
/** Raw CIDR text; the server canonicalises it so the error names the field. */
export const cidrText = str().max(64, 'address is too long');
export const uint32 = z
  .number({ error: 'must be a number' })
  .int('must be an integer')
  .min(0, 'must be at least 0')
  .max(4294967295, 'must be at most 4294967295');
const routeTable = z.union([
  z.literal('main'),
  z
    .number({ error: 'table must be "main" or a number' })
    .int('table must be an integer')
    .min(1, 'table must be at least 1')
    .max(4294967295, 'table must be at most 4294967295'),
]);

// ---- Requests. Unknown keys are refused (strict objects).

const vethEnd = z.strictObject({ namespace: nsIdSchema, name: ifName, address: cidrText.nullish() });
export const vethRequest = z.strictObject({ a: vethEnd, b: vethEnd, up: bool().default(true) });
export const interfaceStateRequest = z.strictObject({ up: bool() });
export const addressRequest = z.strictObject({ cidr: cidrText });
/** `bridge: null` detaches the interface from its bridge. */
export const masterRequest = z.strictObject({ bridge: ifIdSchema.nullable() });
export const bridgeRequest = z.strictObject({
  namespace: nsIdSchema,
  name: ifName,
  up: bool().default(true),
});
export const routeRequest = z.strictObject({
  namespace: nsIdSchema,
  dst: z.union([z.literal('default'), cidrText]),
  gateway: cidrText.nullish(),
  dev: ifName.nullish(),
  table: routeTable.optional(),
  metric: uint32.nullish(),
  /** Only needed for a default route without gateway (which family's default). */
  family: z.enum(['inet', 'inet6']).optional(),
});
/** A route delete names the route by the selector of routeRequest, or by its model id. */
export const routeByIdRequest = z.strictObject({ id: str().max(512, 'route id is too long') });
export const namespaceRequest = z.strictObject({ name: netnsName });
/** Routes that take their subject from the path send `{}`; the body is not read. */
export const noBody = z.object({});
/** Path parameters, checked like bodies so a bad one is a 400 naming `id`. */
export const ifIdParam = z.strictObject({ id: ifIdSchema });
export const nsIdParam = z.strictObject({ id: nsIdSchema });

// ---- Success bodies. Every answer, success or error, carries the operation id `op`.

const answer = <T extends z.ZodRawShape>(shape: T) => z.object({ op: z.string(), ...shape });
const vethEndAnswer = z.object({
  id: z.string(),
  namespace: z.string(),
  name: z.string(),
  address: z.string().nullable(),
});
export const vethResponse = answer({
  link: z.string().nullable(),
  a: vethEndAnswer,
  b: vethEndAnswer,
  up: z.boolean(),
  rolledBack: z.literal(false),
});
export const interfaceDeleteResponse = answer({ deleted: z.array(z.string()) });
export const interfaceStateResponse = answer({ interface: z.string(), up: z.boolean() });
export const addressResponse = answer({ interface: z.string(), cidr: z.string() });
export const masterResponse = answer({ interface: z.string(), bridge: z.string().nullable() });
export const bridgeResponse = answer({
  id: z.string().nullable(),
  namespace: z.string(),
  name: z.string(),
  up: z.boolean(),
});
export const routeResponse = answer({
  route: z.object({
    namespace: z.string(),
    family: z.enum(['inet', 'inet6']),
    dst: z.string(),
    gateway: z.string().nullable(),
    dev: z.string().nullable(),
    table: z.string(),
    metric: z.number().nullable(),
  }),
});
export const namespaceCreateResponse = answer({ id: z.string().nullable(), name: z.string() });
export const namespaceDeleteResponse = answer({ deleted: z.string(), name: z.string() });

/** Every error: `field` names the part of the request at fault; failed creations say what is left. */
export const errorResponse = z.object({
  op: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
  rolledBack: z.boolean().optional(),
  residue: z.array(z.string()).optional(),
});
export type ErrorResponse = z.infer<typeof errorResponse>;

// ---- The routes, under /api.

export interface ActionRoute {
  /** What the audit log calls it. */
  action: string;
  method: 'POST' | 'DELETE';
  /** Express path under /api; `:name` segments are path parameters. */
  path: string;
  request: z.ZodType;
  response: z.ZodType;
}

const route = <Q extends z.ZodType, R extends z.ZodType>(
  action: string,
  method: 'POST' | 'DELETE',
  path: string,
  request: Q,
  response: R,
) => ({ action, method, path, request, response }) satisfies ActionRoute;

export const ACTION_ROUTES = {
  createVeth: route('veth.create', 'POST', '/veth', vethRequest, vethResponse),
  deleteInterface: route('interface.delete', 'DELETE', '/interfaces/:id', noBody, interfaceDeleteResponse),
  setInterfaceState: route(
    'interface.state',
    'POST',
    '/interfaces/:id/state',
    interfaceStateRequest,
    interfaceStateResponse,
  ),
  addAddress: route('address.add', 'POST', '/interfaces/:id/addresses', addressRequest, addressResponse),
  removeAddress: route(
    'address.remove',
    'DELETE',
    '/interfaces/:id/addresses',
    addressRequest,
    addressResponse,
  ),
  removeAddressByPath: route(
    'address.remove',
    'DELETE',
    '/interfaces/:id/addresses/:cidr',
    noBody,
    addressResponse,
  ),
  setMaster: route('interface.master', 'POST', '/interfaces/:id/master', masterRequest, masterResponse),
  createBridge: route('bridge.create', 'POST', '/bridges', bridgeRequest, bridgeResponse),
  addRoute: route('route.add', 'POST', '/routes', routeRequest, routeResponse),
  removeRoute: route(
    'route.remove',
    'DELETE',
    '/routes',
    z.union([routeByIdRequest, routeRequest]),
    routeResponse,
  ),
  createNamespace: route(
    'namespace.create',
    'POST',
    '/namespaces',
    namespaceRequest,
    namespaceCreateResponse,
  ),
  deleteNamespace: route('namespace.delete', 'DELETE', '/namespaces/:id', noBody, namespaceDeleteResponse),
} as const;

export type ActionName = keyof typeof ACTION_ROUTES;
/** What a caller may send (defaults still optional). */
export type ActionRequest<N extends ActionName> = z.input<(typeof ACTION_ROUTES)[N]['request']>;
/**
 * The same request sent to a hub for one node: a request that holds no id (namespace creation)
 * says which node with `node` (server/cluster/hubProxy.ts takes it off before the agent sees it).
 */
export type HubActionRequest<N extends ActionName> = ActionRequest<N> & { node: string };
/** What a successful call answers. */
export type ActionResponse<N extends ActionName> = z.output<(typeof ACTION_ROUTES)[N]['response']>;

/** The route's path under /api with its `:name` parameters filled in (URI-encoded). */
export function actionPath(name: ActionName, params: Readonly<Record<string, string>> = {}): string {
  return ACTION_ROUTES[name].path.replace(/:([a-z]+)/g, (_, key: string) => {
    const v = params[key];
    if (v === undefined) throw new Error(`${name}: missing path parameter ${key}`);
    return encodeURIComponent(v);
  });
}
