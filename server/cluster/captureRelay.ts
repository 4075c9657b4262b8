/**
 * One capture started through the hub: the hub holds one live WebSocket to the owning agent's
 * capture from the moment it starts (so the agent's "last client gone: the capture ends" covers
 * the hub going, however it goes) and relays its messages, translated, to the browsers watching
 * it on the hub. When the last browser leaves, the hub lets go of the agent's stream and the
 * agent ends the capture ("the page closed"), as on one host. When the agent goes, its tcpdumps
 * die with it (parent-death signal) and the browsers are told the capture ended.
 */
import WebSocket from 'ws';
import type { CaptureInfo, CaptureServerMessage } from '../../common/capture.js';
import { HIGH_WATER, MAX_CLIENTS, keepAlive } from '../capture/live.js';
import { parseCaptureMessage, qualifyCaptureMessage } from './captureTranslate.js';

const OPEN_TIMEOUT_MS = 10_000;

export class RelayedCapture {
  private agentWs: WebSocket | null = null;
  private readonly browsers = new Set<WebSocket>();
  private hadBrowser = false;
  /** Summaries the hub did not send a slow browser (added to the agent's count). */
  private notShownHere = 0;
  /** The latest view, in the hub's ids. */
  info: CaptureInfo;

  constructor(
    readonly hubId: string,
    readonly host: string,
    readonly agentId: string,
    first: CaptureInfo,
    private readonly log: (line: string) => void,
  ) {
    this.info = first;
  }

  get running(): boolean {
    return this.info.running;
  }

  /** Opens the agent's live stream; rejects if it cannot be opened (the caller stops the capture). */
  open(agentBase: string, token: string): Promise<void> {
    const url = new URL(`/api/captures/${this.agentId}/live`, agentBase);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
      maxPayload: 16 << 20,
      handshakeTimeout: OPEN_TIMEOUT_MS,
    });
    this.agentWs = ws;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const msg = parseCaptureMessage(data.toString());
      if (msg) this.fromAgent(msg);
    });
    // Never unhandled: 'close' follows every error and says what happened.
    ws.on('error', () => {});
    ws.on('close', (code, reason) => {
      if (this.agentWs === ws) this.agentWs = null;
      const why = reason.length ? reason.toString() : `code ${code}`;
      this.endHere(`node ${this.host}: the agent's stream closed (${why})`);
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', (e) => reject(e));
    });
  }

  private fromAgent(msg: CaptureServerMessage): void {
    const q = qualifyCaptureMessage(this.host, this.hubId, msg, this.notShownHere);
    if (q.type === 'hello' || q.type === 'ended') this.info = q.capture;
    else this.info = { ...this.info, counters: q.counters };
    for (const b of this.browsers) this.send(b, q);
  }

  /** The agent's stream is gone without its `ended`: the capture is over for the hub's browsers. */
  private endHere(reason: string): void {
    if (this.info.running) {
      this.info = { ...this.info, running: false, endedAt: new Date().toISOString(), endReason: reason };
      this.log(`capture ${this.hubId} on node ${this.host} ended: ${reason}`);
    }
    for (const b of this.browsers) this.send(b, { type: 'ended', capture: this.info });
  }

  private send(ws: WebSocket, msg: CaptureServerMessage): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (msg.type === 'packets' && ws.bufferedAmount > HIGH_WATER) {
      this.notShownHere += msg.packets.length;
      const counters = { ...msg.counters, notShown: msg.counters.notShown + msg.packets.length };
      ws.send(JSON.stringify({ type: 'counters', counters }));
      return;
    }
    ws.send(JSON.stringify(msg));
    if (msg.type === 'ended') ws.close(1000, 'capture ended');
  }

  /** Why a browser cannot watch (null: it can). */
  refusal(): string | null {
    return this.browsers.size >= MAX_CLIENTS ? 'too many clients on this capture' : null;
  }

  /** A browser watching the capture through the hub (the upgrade handler checked it). */
  accept(ws: WebSocket): void {
    this.browsers.add(ws);
    this.hadBrowser = true;
    this.send(ws, { type: 'hello', capture: this.info });
    if (!this.info.running) {
      this.send(ws, { type: 'ended', capture: this.info });
      return;
    }
    const stopPings = keepAlive(ws);
    ws.on('close', () => {
      stopPings();
      this.browsers.delete(ws);
      if (this.hadBrowser && this.browsers.size === 0 && this.info.running) {
        // The agent sees its last client go and ends the capture, tcpdumps included.
        this.closeAgent();
        this.endHere('the page closed');
      }
    });
  }

  /** Lets go of the agent's stream (the agent ends the capture if it still runs). */
  closeAgent(): void {
    const ws = this.agentWs;
    this.agentWs = null;
    ws?.close(1000, 'hub client gone');
  }

  /** The hub stops: every browser of this capture is let go. */
  closeBrowsers(): void {
    for (const b of this.browsers) b.terminate();
    this.browsers.clear();
  }
}
