/**
 * The Express app: security headers and the Host check on every response (static files
 * included), the `/?token=` bootstrap, auth before anything that reads or changes the kernel,
 * Origin + Content-Type checks on mutations, then the API routers and the built page.
 *
 * Static JS/CSS under /assets/ are served without auth: they are the public bundle and hold no
 * data. The page itself (index.html, SPA fallback) needs the session cookie.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { Topology } from '../../common/model.js';
import { PROTOCOL_VERSION } from '../../common/protocol.js';
import { authorize, checkBootstrapToken } from './auth.js';
import type { AuthContext, AuthResult, Peer } from './auth.js';
import { checkHost, checkOrigin, CONTENT_SECURITY_POLICY } from './security.js';

export interface AppContext extends AuthContext {
  /** Filled in once the port is known (before the first connection can arrive). */
  hosts: Set<string>;
  origins: Set<string>;
  readOnly: boolean;
  readOnlyReason: string | null;
  /** Mutating API paths a read-only server still serves (an agent's `--allow-capture`). */
  readOnlyAllows?(path: string): boolean;
  staticDir: string | null;
  state(): { epoch: string; seq: number; topology: Topology };
  /** Mounted at /api after auth and the mutation checks. */
  routers: Router[];
  /** While the first full read runs: what it is doing (API calls other than session get 503). */
  starting?(): string | null;
  log(line: string): void;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** POSTs under /api that change nothing, so a read-only server still answers them. */
const READ_ONLY_POSTS = new Set(['/trace']);

function peerOf(req: Request): Peer {
  return { address: req.socket.remoteAddress, port: req.socket.remotePort };
}

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

const FIXED_MESSAGES: Record<number, string> = {
  400: 'bad request',
  403: 'forbidden',
  404: 'not found',
  405: 'method not allowed',
  413: 'request body too large',
  415: 'unsupported media type',
  416: 'range not satisfiable',
  500: 'internal error',
};

/** Errors in the shape the actions and inspect routers use: `{error: {code, message}}`. */
function fail(res: Response, status: number, message: string, retryAfterS?: number, code?: string): void {
  if (retryAfterS !== undefined) res.setHeader('Retry-After', String(retryAfterS));
  res.status(status).json({ error: { code: code ?? CODES[status] ?? 'internal', message } });
}

function denyAuth(res: Response, r: Exclude<AuthResult, { ok: true }>): void {
  fail(res, r.status, r.reason, r.retryAfterS);
}

export function createApp(ctx: AppContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  // Headers every response carries, then the DNS-rebinding check before any routing.
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const host = checkHost(req.rawHeaders, ctx.hosts);
    if (!host.ok) {
      res.status(host.status).type('text/plain').send(`${host.reason}\n`);
      return;
    }
    next();
  });

  app.get('/api/health', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ok: true, protocol: PROTOCOL_VERSION });
  });

  // Bootstrap: the printed URL sets the session cookie, then drops the token from the address bar.
  app.get(['/', '/index.html'], (req: Request, res: Response, next: NextFunction) => {
    const token = req.query.token;
    if (token === undefined) return next();
    const r = checkBootstrapToken(typeof token === 'string' ? token : '', req.headers, peerOf(req), ctx);
    if (!r.ok) {
      if (r.retryAfterS !== undefined) res.setHeader('Retry-After', String(r.retryAfterS));
      res.status(r.status).type('text/plain').send(`${r.reason}\n`);
      return;
    }
    res.setHeader('Set-Cookie', ctx.secrets.sessionCookie());
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, '/');
  });

  if (ctx.staticDir && existsSync(join(ctx.staticDir, 'assets'))) {
    app.use('/assets', express.static(join(ctx.staticDir, 'assets'), { index: false, fallthrough: false }));
  }

  // Everything below needs a credential; 401 comes before any `ip` could be spawned.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const r = authorize(req.headers, peerOf(req), ctx);
    if (!r.ok) {
      if (req.path.startsWith('/api/')) return denyAuth(res, r);
      if (r.retryAfterS !== undefined) res.setHeader('Retry-After', String(r.retryAfterS));
      res
        .status(r.status)
        .type('text/plain')
        .send(
          'netns-explorer: open the URL (with ?token=...) that netns-explorer printed when it started.\n',
        );
      return;
    }
    res.locals.authVia = r.via;
    next();
  });

  // Cross-site request forgery: mutations need the page's own Origin (or no Origin with a bearer
  // token, i.e. a script, not a browser) and a JSON body, which no HTML form can send.
  app.use('/api', (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    if (!MUTATING.has(req.method)) return next();
    const origin = req.headers.origin;
    if (origin === undefined) {
      if (res.locals.authVia !== 'bearer') return fail(res, 403, 'Origin header required');
    } else if (!checkOrigin(origin, ctx.origins).ok) {
      return fail(res, 403, 'Origin not allowed');
    }
    const hasBody =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if ((hasBody || req.method !== 'DELETE') && type !== 'application/json') {
      return fail(res, 415, 'Content-Type must be application/json');
    }
    // A trace only reads the kernel (its probe is checked by the trace router itself).
    if (ctx.readOnly && !READ_ONLY_POSTS.has(req.path) && !ctx.readOnlyAllows?.(req.path)) {
      return fail(
        res,
        403,
        `the server is read-only: ${ctx.readOnlyReason ?? 'read-only'}`,
        undefined,
        'read_only',
      );
    }
    next();
  });
  app.use('/api', (req: Request, res: Response, next: NextFunction) => {
    const starting = ctx.starting?.() ?? null;
    if (starting === null || req.path === '/session') return next();
    fail(res, 503, `no model yet: ${starting}`, 1, 'starting');
  });
  app.use('/api', express.json({ limit: '16kb' }));

  app.get('/api/topology', (req, res, next) => {
    // `?at=` asks for a moment of history: the history router answers it.
    if (req.query.at !== undefined) return next();
    const { epoch, seq, topology } = ctx.state();
    res.json({ ...topology, epoch, seq, readOnly: ctx.readOnly });
  });
  app.get('/api/session', (_req, res) => {
    res.json({ readOnly: ctx.readOnly, readOnlyReason: ctx.readOnlyReason, protocol: PROTOCOL_VERSION });
  });
  for (const r of ctx.routers) app.use('/api', r);
  app.use('/api', (_req, res) => fail(res, 404, 'no such API endpoint'));

  // The page: files of the build, and index.html for every other GET (client-side routes).
  if (ctx.staticDir) app.use(express.static(ctx.staticDir, { index: false }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const index = ctx.staticDir ? join(ctx.staticDir, 'index.html') : null;
    if (!index || !existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('netns-explorer: the page is not built; run `npm run build`.\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(index);
  });

  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = err as { status?: unknown; statusCode?: unknown; type?: unknown; message?: unknown };
    const given = typeof e.status === 'number' ? e.status : e.statusCode;
    const status = typeof given === 'number' && given >= 400 && given <= 599 ? given : 500;
    if (status >= 500) ctx.log(`error: ${typeof e.message === 'string' ? e.message : String(err)}`);
    // Fixed texts only: a library's message can hold file system paths (static's ENOENT names
    // the install folder) or echo the request back.
    const message =
      e.type === 'entity.too.large'
        ? 'request body too large'
        : e.type === 'entity.parse.failed'
          ? 'invalid JSON'
          : (FIXED_MESSAGES[status] ?? (status >= 500 ? 'internal error' : 'bad request'));
    fail(res, status, message);
  });
  return app;
}
