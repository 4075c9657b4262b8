/**
 * The hub's composition root: no discovery of its own; one AgentLink per agent feeds the cluster
 * model, whose union the ordinary live Hub serves to browsers through the same Express app and
 * WebSocket upgrade as the single-host server (same auth, Host/Origin checks, page). Actions
 * and traces asked of the hub go to the node's agent (hubProxy.ts), which decides. `GET /api/cluster` answers the
 * nodes (live/stale, last seen) and the cross-node edges; the side panel's sockets and firewall
 * views are asked of the node's agent (inspectProxy.ts).
 */
import { createServer } from 'node:http';
import { resolve4 } from 'node:dns/promises';
import express from 'express';
import { WebSocketServer } from 'ws';
import { emptyTopology } from '../../common/model.js';
import { createApp } from '../http/app.js';
import type { AppContext } from '../http/app.js';
import { Hub } from '../hub/hub.js';
import { FailureLimiter, hostPort, Secrets } from '../http/security.js';
import { listenChecked } from '../http/listen.js';
import { createUpgradeHandler } from '../http/upgrade.js';
import { AgentLink } from './agentLink.js';
import type { AgentLinkOptions } from './agentLink.js';
import { ClusterModel } from './clusterModel.js';
import { inspectProxyRouter } from './inspectProxy.js';
import { askNode, hubProxyRouter } from './hubProxy.js';
import { traceAcross } from './traceAcross.js';
import { HubCaptures, hubCaptureRouter } from './captureProxy.js';
import type { HubProxyDeps } from './hubProxy.js';

export interface HubServerOptions {
  host: string;
  port: number;
  /** Browsers' token. */
  token: string;
  /** The token the agents expect. */
  agentToken: string;
  agents: string[];
  /** Headless Service name whose A records are the agents (each at `agentPort`), or null. */
  agentsDns: string | null;
  agentPort: number;
  staticDir: string | null;
  log(line: string): void;
  link?: Partial<AgentLinkOptions>;
  dnsEveryMs?: number;
}

export interface RunningHub {
  origin: string;
  port: number;
  hub: Hub;
  cluster: ClusterModel;
  close(): Promise<void>;
}

export async function startHub(o: HubServerOptions): Promise<RunningHub> {
  // Not read-only: changes go to the node's agent, which refuses them unless --allow-changes.
  const hub = new Hub(emptyTopology(), { readOnly: false, log: o.log });
  const cluster = new ClusterModel(hub, []);
  const links = new Map<string, AgentLink>();
  const addAgent = (url: string): void => {
    if (links.has(url)) return;
    cluster.addAgent(url);
    const link = new AgentLink(url, cluster, { token: o.agentToken, log: o.log, ...o.link });
    links.set(url, link);
    link.start();
    o.log(`agent ${url} added`);
  };
  for (const url of o.agents) addAgent(url);

  // Kubernetes: the headless Service's A records are the agents' pod (= node) addresses.
  let dnsTimer: NodeJS.Timeout | null = null;
  if (o.agentsDns !== null) {
    const name = o.agentsDns;
    const lookup = (): void => {
      resolve4(name).then(
        (ips) => {
          for (const ip of ips.sort()) addAgent(`http://${hostPort(ip, o.agentPort)}`);
        },
        (e: unknown) => o.log(`resolving ${name}: ${e instanceof Error ? e.message : String(e)}`),
      );
    };
    lookup();
    dnsTimer = setInterval(lookup, o.dnsEveryMs ?? 30_000);
    dnsTimer.unref();
  }

  const clusterRouter = express.Router();
  clusterRouter.get('/cluster', (_req, res) => {
    res.json(cluster.view());
  });
  const proxy: HubProxyDeps = {
    agentUrlOf: (host) => cluster.agentUrlOf(host),
    agentToken: o.agentToken,
    log: o.log,
    continueTrace: (host, request, answer) =>
      traceAcross(
        {
          ask: (h, body) => askNode(proxy, h, 'POST', '/api/trace', body),
          state: () => ({ topology: hub.state.topology, links: cluster.view().links }),
        },
        host,
        request,
        answer,
      ),
  };
  // Packet capture: run by the node's agent (only with its --allow-capture), relayed here.
  const captures = new HubCaptures({
    agentUrlOf: (h) => cluster.agentUrlOf(h),
    agentToken: o.agentToken,
    log: o.log,
  });
  const ctx: AppContext = {
    secrets: new Secrets(o.token),
    limiter: new FailureLimiter(),
    audit: o.log,
    hosts: new Set(),
    origins: new Set(),
    readOnly: false,
    readOnlyReason: null,
    staticDir: o.staticDir,
    state: () => hub.state,
    routers: [
      clusterRouter,
      inspectProxyRouter((host) => cluster.agentUrlOf(host), o.agentToken),
      hubProxyRouter(proxy),
      hubCaptureRouter(captures),
    ],
    log: o.log,
  };
  const server = createServer(createApp(ctx));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  server.on(
    'upgrade',
    createUpgradeHandler({
      secrets: ctx.secrets,
      limiter: ctx.limiter,
      audit: o.log,
      get hosts() {
        return ctx.hosts;
      },
      get origins() {
        return ctx.origins;
      },
      wss,
      hub,
      maxConnections: 32,
      extraPaths: (pathname) => captures.upgrade(pathname),
      log: o.log,
    }),
  );
  const stopAll = (): void => {
    if (dnsTimer) clearInterval(dnsTimer);
    for (const l of links.values()) l.stop();
    hub.stop();
  };
  const port = await listenChecked(server, o.host, o.port, ctx, stopAll);
  hub.start();
  return {
    origin: `http://${hostPort(o.host, port)}`,
    port,
    hub,
    cluster,
    async close() {
      await captures.closeAll();
      stopAll();
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
