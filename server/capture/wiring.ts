/**
 * How the server takes in packet capture: the router, the WebSocket paths for the upgrade
 * handler, the audit lines, and the shutdown step. One place, so the command and the tests wire
 * it the same way.
 */
import type { Router } from 'express';
import type { Topology } from '../../common/model.js';
import { AuditLog } from '../actions/audit.js';
import { captureUpgrade } from './live.js';
import type { CaptureUpgrade } from './live.js';
import { CaptureManager } from './manager.js';
import type { CaptureAuditEntry } from './manager.js';
import { captureRouter } from './router.js';

export interface CaptureWiringOptions {
  /** False with `--no-capture`: every capture route answers 403 and no tcpdump ever starts. */
  enabled: boolean;
  auditLogPath: string;
  log(line: string): void;
}

export interface CaptureServerDeps {
  getTopology(): Topology;
  namespacePath(id: string): string | null;
}

export interface CaptureWiring {
  router(deps: CaptureServerDeps): Router;
  upgrade(pathname: string): CaptureUpgrade | null;
  manager(): CaptureManager | null;
  close(): Promise<void>;
}

/** One audit journal line per capture start, refusal and end (the journal's record shape). */
export function auditRecord(e: CaptureAuditEntry) {
  const { action, id, status, error, ...params } = e;
  return {
    ts: new Date().toISOString(),
    op: id ?? 'none',
    action,
    params,
    commands: [],
    status,
    ok: status < 400,
    ...(error ? { error } : {}),
  };
}

export function captureWiring(opts: CaptureWiringOptions): CaptureWiring {
  let manager: CaptureManager | null = null;
  const journal = new AuditLog(opts.auditLogPath);
  return {
    router(deps) {
      if (opts.enabled && !manager) {
        manager = new CaptureManager({
          getTopology: deps.getTopology,
          namespacePath: (ns) => deps.namespacePath(ns.id),
          audit: (e) => {
            try {
              journal.append(auditRecord(e));
            } catch (err) {
              opts.log(`audit log write failed: ${err instanceof Error ? err.message : String(err)}`);
            }
          },
          log: opts.log,
        });
      }
      return captureRouter({ manager });
    },
    upgrade: (pathname) => captureUpgrade(manager, pathname),
    manager: () => manager,
    close: async () => {
      await manager?.closeAll();
    },
  };
}
