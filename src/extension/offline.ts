/**
 * The offline switch: when a cloud model fails because the network or the provider is down, the
 * chat answers with a local model (`anymodel.offlineModel`, else the first Ollama model found),
 * says so, and checks the cloud again every `anymodel.offlineRecheckSeconds` until it answers, then
 * switches back. It only decides which model a *new* request goes to: an answer that has started is
 * never moved (docs/architecture.md#retries-and-fallbacks). Imports no `vscode`, so it is tested on
 * plain Node.
 *
 * A silent network (a captive portal, dead Wi-Fi, a blackholed route) refuses nothing: requests
 * just wait. So a cloud request that has sent nothing after the connect timeout gets its server
 * checked, and when the check goes unanswered too it is an outage (`guard`); a server that
 * answers the check is merely slow (a reasoning model) and is waited for.
 */
import http from 'node:http';
import https from 'node:https';
import { AnyModelError, parseModelId, type ErrorKind } from '../core';
import type { OfflineNotice } from '../shared/protocol';

/** Errors that say "cannot reach it" rather than "it refused this request". */
const OUTAGE_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['APIConnection', 'Timeout', 'ServiceUnavailable', 'BadGateway', 'InternalServer']);

export function isOutage(error: { kind?: string } | undefined): boolean {
  return !!error?.kind && OUTAGE_KINDS.has(error.kind as ErrorKind);
}

export interface OfflineDeps {
  /** Resolves true when the cloud model's endpoint answers (again). */
  probe(cloudModel: string): Promise<boolean>;
  /** How long a cloud request may stay silent before its server is checked (`guard`); 0: never. */
  outageCheckMs?(): number;
  /** Seconds between checks, read each time so a settings change applies at once. */
  recheckSeconds(): number;
  onChange(notice: OfflineNotice): void;
  /** Schedules `run` after `ms` and returns its cancel; tests pass a clock they step by hand. */
  setTimer?(run: () => void, ms: number): () => void;
}

function realTimer(run: () => void, ms: number): () => void {
  const t = setTimeout(run, ms);
  t.unref?.();
  return () => clearTimeout(t);
}

interface Active {
  cloudModel: string;
  localModel: string;
  reason: string;
}

export class OfflineSwitch {
  private active: Active | undefined;
  private cancelTimer: (() => void) | undefined;
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

  /**
   * Waits for `opening` (a cloud request, up to its response headers). When it is still silent
   * after `outageCheckMs`, probes the model's server: unanswered too, the request is aborted and
   * this rejects with a Timeout (an outage); answered, the request is waited for as it is.
   */
  async guard<T>(model: string, opening: Promise<T>, abort: () => void): Promise<T> {
    const checkMs = this.deps.outageCheckMs?.() ?? 0;
    if (!checkMs) return opening;
    const settled = opening.then((value) => ({ value }), (error: unknown) => ({ error }));
    const unwrap = (r: { value: T } | { error: unknown }): T => { if ('error' in r) throw r.error; return r.value; };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const silent = new Promise<'silent'>((resolve) => { timer = setTimeout(resolve, checkMs, 'silent'); });
    const first = await Promise.race([settled, silent]);
    clearTimeout(timer);
    if (first !== 'silent') return unwrap(first);
    const up = await Promise.race([settled.then(() => true), this.deps.probe(model).catch(() => false)]);
    if (up) return unwrap(await settled);
    abort();
    throw new AnyModelError({ kind: 'Timeout', message: `no response within ${checkMs / 1000} s, and its server does not answer` });
  }

  /** Called after any successful answer from the cloud model (it is back even before the next check). */
  cloudAnswered(model: string): void {
    if (this.active?.cloudModel === model) this.deactivate();
  }

  dispose(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.active = undefined;
  }

  private deactivate(): void {
    const was = this.active;
    if (!was) return;
    this.dispose();
    this.deps.onChange({ active: false, message: `${was.cloudModel} is reachable again: new messages go to it.` });
  }

  private schedule(): void {
    this.cancelTimer?.();
    this.cancelTimer = (this.deps.setTimer ?? realTimer)(() => { this.cancelTimer = undefined; void this.check(); }, this.deps.recheckSeconds() * 1000);
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

/** A local model the catalog offers, with the Ollama tag it runs when it is an Ollama model. */
export interface LocalCandidate {
  id: string;
  /** The name as `ollama list` and `/api/tags` show it, e.g. `llama3.2:latest`. */
  ollamaTag?: string;
}

export interface OfflineChoice {
  /** The catalog id to answer with while offline; undefined when there is no local model at all. */
  model: string | undefined;
  /** Worth a warning when the setting is made: it names no model that exists. */
  problem?: string;
}

/**
 * The model `anymodel.offlineModel` means, in every spelling a user types after `ollama list`:
 * `llama3.2`, `llama3.2:latest`, `ollama/llama3.2`, `ollama_chat/llama3.2:latest`. Matched against
 * the tags the local Ollama reported (a name without a tag is `:latest`, as Ollama reads it,
 * https://github.com/ollama/ollama/blob/main/docs/api.md#model-names) and answered with the
 * catalog's id for that tag (`ollama_chat/…`, the chat endpoint). Empty: the first local model.
 * Any other configured model id, or a provider/model id of another provider, is used as it is.
 * `ollamaTags` undefined means Ollama did not answer, so nothing can be checked.
 */
export function resolveOfflineModel(setting: string, catalogIds: readonly string[], local: readonly LocalCandidate[], ollamaTags: readonly string[] | undefined, ollamaBaseUrl: string): OfflineChoice {
  const wanted = setting.trim();
  if (!wanted) return { model: local[0]?.id };
  if (catalogIds.includes(wanted)) return { model: wanted };
  const name = wanted.replace(/^(ollama_chat|ollama)\//, '');
  const lower = name.toLowerCase();
  const full = lower.includes(':') ? lower : `${lower}:latest`;
  const tagged = (tag: string) => local.find((c) => c.ollamaTag?.toLowerCase() === tag);
  const match = tagged(full) ?? tagged(lower);
  if (match) return { model: match.id };
  if (name === wanted) {
    // Not an Ollama spelling: a provider/model id (hosted_vllm/…, lm_studio/…) is the core's to resolve.
    try {
      parseModelId(wanted);
      return { model: wanted };
    } catch {
      // A bare name the core cannot place: read it as an Ollama tag.
    }
  }
  const model = `ollama_chat/${name}`;
  if (ollamaTags === undefined) return { model };
  const have = ollamaTags.length ? `it has ${ollamaTags.join(', ')}` : 'it has no models pulled';
  return { model, problem: `anymodel.offlineModel "${wanted}" is not a model the local Ollama (${ollamaBaseUrl}) has pulled: ${have}. Pull it (ollama pull ${name}) or set one of those.` };
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
