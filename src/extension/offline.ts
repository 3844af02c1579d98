/**
 * The offline switch: when a cloud model fails because the network or the provider is down, the
 * chat answers with a local model (`anymodel.offlineModel`, else the first Ollama model found),
 * says so, and checks the cloud again every `anymodel.offlineRecheckSeconds` until it answers, then
 * switches back. It only decides which model a *new* request goes to: an answer that has started is
 * never moved (docs/architecture.md#retries-and-fallbacks). Imports no `vscode`, so it is tested on
 * plain Node.
 */
import http from 'node:http';
import https from 'node:https';
import type { ErrorKind } from '../core';
import type { OfflineNotice } from '../shared/protocol';

/** Errors that say "cannot reach it" rather than "it refused this request". */
const OUTAGE_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['APIConnection', 'Timeout', 'ServiceUnavailable', 'BadGateway', 'InternalServer']);

export function isOutage(error: { kind?: string } | undefined): boolean {
  return !!error?.kind && OUTAGE_KINDS.has(error.kind as ErrorKind);
}

export interface OfflineDeps {
  /** Resolves true when the cloud model's endpoint answers again. */
  probe(cloudModel: string): Promise<boolean>;
  /** Seconds between checks, read each time so a settings change applies at once. */
  recheckSeconds(): number;
  onChange(notice: OfflineNotice): void;
}

interface Active {
  cloudModel: string;
  localModel: string;
  reason: string;
}

export class OfflineSwitch {
  private active: Active | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private probing = false;

  constructor(private readonly deps: OfflineDeps) {}

  /** The notice to show, or null when answering normally. */
  notice(): OfflineNotice | null {
    return this.active ? this.noticeFor(this.active) : null;
  }

  get localModel(): string | undefined {
    return this.active?.localModel;
  }

  /** The model a new request for `model` goes to while offline, with the reason to show. */
  route(model: string): { model: string; fallback?: { requestedModel: string; reason: string } } {
    if (!this.active || model !== this.active.cloudModel) return { model };
    return { model: this.active.localModel, fallback: { requestedModel: model, reason: `offline: ${this.active.reason}` } };
  }

  activate(cloudModel: string, localModel: string, reason: string): void {
    const short = reason.length > 200 ? `${reason.slice(0, 199)}…` : reason;
    this.active = { cloudModel, localModel, reason: short };
    this.deps.onChange(this.noticeFor(this.active));
    this.schedule();
  }

  /** Called after any successful answer from the cloud model (it is back even before the next check). */
  cloudAnswered(model: string): void {
    if (this.active?.cloudModel === model) this.deactivate();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.active = undefined;
  }

  private deactivate(): void {
    const was = this.active;
    if (!was) return;
    this.dispose();
    this.deps.onChange({ active: false, message: `${was.cloudModel} is reachable again: new messages go to it.` });
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), this.deps.recheckSeconds() * 1000);
    this.timer.unref?.();
  }

  private async check(): Promise<void> {
    const active = this.active;
    if (!active || this.probing) return;
    this.probing = true;
    try {
      const up = await this.deps.probe(active.cloudModel).catch(() => false);
      if (this.active !== active) return;
      if (up) this.deactivate();
      else this.schedule();
    } finally {
      this.probing = false;
    }
  }

  private noticeFor(a: Active): OfflineNotice {
    return { active: true, model: a.localModel, message: `${a.cloudModel} is unreachable (${a.reason}). Answering with ${a.localModel} until it is back.` };
  }
}

/**
 * Whether an endpoint answers at all: any HTTP response below 500 counts (a 401 or 404 on the
 * bare origin means the server is up). Nothing is sent but a GET of the origin, no key.
 */
export function probeOrigin(apiBase: string, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(apiBase);
    } catch {
      resolve(false);
      return;
    }
    const get = url.protocol === 'https:' ? https.get : http.get;
    const req = get(url.origin, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}
