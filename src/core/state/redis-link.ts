/**
 * The one connection to the shared Redis, and what keeps a Redis outage from becoming an LLM
 * outage (docs/architecture.md#shared-state): every call is bounded by a short timeout, commands
 * are never queued while the connection is down (they fail at once), and once a call failed or
 * timed out no more are made — callers use their local state — until Redis answers a ping again.
 * Each change between reachable and unreachable is logged once, and shown by `/health`.
 *
 * ioredis: auto-reconnect with a retry strategy, a per-command timeout (`commandTimeout`) and a
 * switch for the offline queue (`enableOfflineQueue`) are built in (https://github.com/redis/ioredis#readme).
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisSettings } from '../config/load';
import type { StateHealth } from './types';

export interface LinkOptions {
  log?: (line: string) => void;
  commandTimeoutMs?: number;
}

/** How often a link that saw a timeout pings Redis to know it is back. */
const PROBE_MS = 500;

export class RedisLink {
  readonly client: Redis;
  readonly ns: string;
  private status: 'connecting' | 'connected' | 'unreachable' = 'connecting';
  private since: number | undefined;
  private probe: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly where: string;
  private readonly log: (line: string) => void;
  private readonly reconnected: (() => Promise<void>)[] = [];
  private firstOutcome: (() => void) | undefined;
  private readonly first: Promise<void>;
  private scripts = 0;

  constructor(settings: RedisSettings, opts: LinkOptions = {}) {
    this.ns = settings.namespace;
    this.where = `${settings.host}:${settings.port} (${settings.source})`;
    this.log = opts.log ?? (() => {});
    this.first = new Promise((resolve) => { this.firstOutcome = resolve; });
    const options: RedisOptions = {
      commandTimeout: opts.commandTimeoutMs ?? 500,
      connectTimeout: 2000,
      // Fail at once while disconnected instead of queueing: the caller has local state to use.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // Keep trying for ever, backing off to one attempt every 2 s.
      retryStrategy: (times) => Math.min(100 * times, 2000),
      lazyConnect: false,
      ...(settings.url ? {} : { host: settings.host, port: settings.port, ...(settings.password ? { password: settings.password } : {}) }),
    };
    this.client = settings.url ? new Redis(settings.url, options) : new Redis(options);
    this.client.on('ready', () => { void this.up(); });
    // ioredis emits an error for every failed reconnect; only the change of status is said.
    this.client.on('error', (err: Error) => this.down(err.message));
    this.client.on('close', () => { if (!this.closed) this.down('the connection closed'); });
  }

  /**
   * A Lua script for `run`/`send`, sent by its SHA (ioredis's defineCommand: EVALSHA, and the
   * source once when Redis answers NOSCRIPT), so a call carries its arguments, not the script.
   * `keys`: how many arguments are keys; absent, the first argument says.
   */
  script(lua: string, keys?: number): (r: Redis, ...args: (string | number)[]) => Promise<unknown> {
    const name = `anymodelScript${++this.scripts}`;
    this.client.defineCommand(name, keys === undefined ? { lua } : { lua, numberOfKeys: keys });
    return (r, ...args) => (r as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[name]!(...args);
  }

  /** Resolves once the first connection succeeded or failed, or after `ms`. */
  async settled(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.first, new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); })]);
    clearTimeout(timer);
  }

  get isUp(): boolean {
    return this.status === 'connected';
  }

  health(): StateHealth {
    return { backend: 'redis', redis: this.status, ...(this.since !== undefined ? { since: new Date(this.since).toISOString() } : {}) };
  }

  /** Called after Redis is reachable again (not on the first connection): write back local state. */
  onReconnect(fn: () => Promise<void>): void {
    this.reconnected.push(fn);
  }

  /**
   * Runs one Redis call unless Redis is known to be down: its result, or undefined (use local
   * state) when it failed or timed out, which marks Redis unreachable until a ping succeeds.
   */
  async run<T>(op: (r: Redis) => Promise<T>): Promise<T | undefined> {
    if (this.status !== 'connected') return undefined;
    try {
      return await op(this.client);
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      // A script or type error is ours, not an outage: said, and the call answered locally.
      if (/^(ERR|WRONGTYPE|NOSCRIPT)/.test(message)) this.log(`shared state: a Redis call failed (${message}); answered from this process's state`);
      else this.down(message);
      return undefined;
    }
  }

  /** Fire and forget: a write whose failure is handled by `run` (local state stays right). */
  send(op: (r: Redis) => Promise<unknown>): void {
    void this.run(op);
  }

  private down(reason: string): void {
    if (this.closed) return;
    this.firstOutcome?.();
    this.firstOutcome = undefined;
    if (this.status === 'unreachable') return;
    this.status = 'unreachable';
    this.since = Date.now();
    this.log(`shared state: Redis at ${this.where} is unreachable (${reason}); serving from this process's state until it answers again`);
    // A connection that is up but does not answer (timeouts) emits no event when it recovers: ping it.
    this.probe ??= setInterval(() => {
      if (this.client.status !== 'ready') return; // reconnecting: 'ready' will bring it up
      this.client.ping().then(() => this.up(), () => {});
    }, PROBE_MS);
    this.probe.unref();
  }

  private async up(): Promise<void> {
    if (this.closed || this.status === 'connected') return;
    const wasDown = this.status === 'unreachable';
    if (this.probe) clearInterval(this.probe);
    this.probe = undefined;
    this.status = 'connected';
    this.since = undefined;
    this.firstOutcome?.();
    this.firstOutcome = undefined;
    if (!wasDown) {
      this.log(`shared state: connected to Redis at ${this.where}`);
      return;
    }
    for (const fn of this.reconnected) await fn().catch(() => {});
    this.log(`shared state: Redis at ${this.where} is reachable again; local spend and cooldowns written back, shared state in use`);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.probe) clearInterval(this.probe);
    this.client.disconnect();
  }
}
