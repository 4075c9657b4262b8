/**
 * The captures of this server: at most four run at once, ended ones stay downloadable until
 * deleted (the oldest are dropped beyond a few), each start and end goes to the audit log, and
 * at exit every tcpdump is killed (the parent-death signal covers the exits we do not see).
 */
import { randomBytes } from 'node:crypto';
import { CAPTURE_LIMITS } from '../../common/capture.js';
import type { CaptureInfo, CaptureRequest } from '../../common/capture.js';
import type { Namespace, Topology } from '../../common/model.js';
import { CaptureSession } from './session.js';
import { resolveTargets } from './targets.js';
import type { CaptureTarget } from './targets.js';
import { checkFilter } from './tcpdump.js';

/** Ended captures kept for download (their pcapng is in memory). */
const KEEP_ENDED = 4;

export interface CaptureAuditEntry {
  action: 'capture.start' | 'capture.refused' | 'capture.end';
  id: string | null;
  who: string;
  interfaces: string[];
  filter: string | null;
  status: number;
  startedAt?: string;
  endedAt?: string;
  endReason?: string | null;
  packets?: number;
  bytes?: number;
  fileBytes?: number;
  drops?: number;
  error?: string;
}

export interface CaptureManagerDeps {
  getTopology(): Topology;
  /** Where to enter a namespace; null when it is gone. */
  namespacePath(ns: Namespace): string | null;
  audit(entry: CaptureAuditEntry): void;
  log(line: string): void;
  /** Tests: a namespace's liveness probe. */
  inodeOf?(path: string): number | null;
  /** Tests: a smaller limit of concurrent captures. */
  maxRunning?: number;
}

export type StartResult =
  | { ok: true; capture: CaptureInfo }
  | { ok: false; status: 400 | 404 | 429 | 500; code: string; message: string };

export class CaptureManager {
  private readonly sessions = new Map<string, CaptureSession>();
  private starting = 0;
  private readonly onExit = (): void => this.killAll();

  constructor(private readonly deps: CaptureManagerDeps) {
    process.on('exit', this.onExit);
  }

  get(id: string): CaptureSession | undefined {
    return this.sessions.get(id);
  }

  list(): CaptureInfo[] {
    return [...this.sessions.values()].map((s) => s.info());
  }

  runningCount(): number {
    return [...this.sessions.values()].filter((s) => s.running).length + this.starting;
  }

  async start(req: CaptureRequest, who: string): Promise<StartResult> {
    const refuse = (status: 400 | 404 | 429 | 500, code: string, message: string): StartResult => {
      this.deps.audit({
        action: 'capture.refused',
        id: null,
        who,
        interfaces: req.interfaces,
        filter: req.filter,
        status,
        error: message,
      });
      return { ok: false, status, code, message };
    };
    const max = this.deps.maxRunning ?? CAPTURE_LIMITS.maxRunning;
    if (this.runningCount() >= max) {
      return refuse(
        429,
        'too_many_captures',
        `at most ${max} captures can run at once; stop one (DELETE /api/captures/<id>) first`,
      );
    }
    const resolved = resolveTargets(req.interfaces, this.deps.getTopology(), (ns) =>
      this.deps.namespacePath(ns),
    );
    if (!resolved.ok) return refuse(404, 'not_found', resolved.message);
    this.starting++;
    try {
      if (req.filter !== null) {
        const bad = await this.firstFilterError(resolved.targets, req.filter);
        if (bad) return refuse(400, 'bad_filter', `filter: ${bad}`);
      }
      const id = `cap-${randomBytes(6).toString('hex')}`;
      const session = new CaptureSession({
        id,
        targets: resolved.targets,
        filter: req.filter,
        maxSeconds: req.maxSeconds,
        maxBytes: req.maxBytes,
        ended: (info) => this.ended(info, who),
        ...(this.deps.inodeOf ? { inodeOf: this.deps.inodeOf } : {}),
      });
      try {
        await session.start();
      } catch (e) {
        return refuse(500, 'capture_failed', e instanceof Error ? e.message : String(e));
      }
      this.sessions.set(id, session);
      this.dropOldEnded();
      const info = session.info();
      this.deps.audit({
        action: 'capture.start',
        id,
        who,
        interfaces: info.interfaces.map((i) => i.label),
        filter: req.filter,
        status: 201,
        startedAt: info.startedAt,
      });
      this.deps.log(`capture ${id} started on ${info.interfaces.map((i) => i.label).join(', ')}`);
      return { ok: true, capture: info };
    } finally {
      this.starting--;
    }
  }

  /** The same filter can compile on one link type and not another: each interface is asked. */
  private async firstFilterError(targets: CaptureTarget[], filter: string): Promise<string | null> {
    for (const t of targets) {
      const msg = await checkFilter({ nsPath: t.nsPath, ifName: t.iface.name }, filter);
      if (msg) return targets.length > 1 ? `${t.iface.label}: ${msg}` : msg;
    }
    return null;
  }

  private ended(info: CaptureInfo, who: string): void {
    this.deps.audit({
      action: 'capture.end',
      id: info.id,
      who,
      interfaces: info.interfaces.map((i) => i.label),
      filter: info.filter,
      status: 200,
      startedAt: info.startedAt,
      endedAt: info.endedAt ?? new Date().toISOString(),
      endReason: info.endReason,
      packets: info.counters.packets,
      bytes: info.counters.bytes,
      fileBytes: info.counters.fileBytes,
      drops: info.counters.drops,
    });
    this.deps.log(`capture ${info.id} ended: ${info.endReason ?? ''} (${info.counters.packets} packets)`);
  }

  private dropOldEnded(): void {
    const ended = [...this.sessions.values()].filter((s) => !s.running);
    for (const s of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) this.sessions.delete(s.id);
  }

  /** Stops a running capture (kept for download) or forgets an ended one. */
  async delete(id: string): Promise<CaptureInfo | null> {
    const s = this.sessions.get(id);
    if (!s) return null;
    if (s.running) {
      await s.end('stopped');
    } else {
      this.sessions.delete(id);
    }
    return s.info();
  }

  /** Server shutdown: every capture ends and every tcpdump is gone when this resolves. */
  async closeAll(): Promise<void> {
    process.off('exit', this.onExit);
    await Promise.all([...this.sessions.values()].map((s) => s.end('the server stopped')));
  }

  private killAll(): void {
    for (const s of this.sessions.values()) s.killNow();
  }
}
