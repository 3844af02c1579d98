/**
 * The webview's side of the channel to the extension host: typed posts, validation of everything
 * that arrives (docs/architecture.md#validation-at-every-boundary), and request/reply pairs matched
 * by `requestId` (the vscode-pull-request-github pattern).
 */
import {
  PROTOCOL_VERSION, parseHostMessage, type HostMessage, type HostStateMessage, type WebviewMessage,
} from '../shared/protocol';

/** What `acquireVsCodeApi()` returns inside a VS Code webview. */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** Messages that may carry a requestId; the bridge fills it in. */
type Requestable = Extract<WebviewMessage, { requestId?: string }>;
type WithoutRequestId<M> = M extends unknown ? Omit<M, 'requestId'> : never;

interface Pending {
  resolve(message: HostMessage): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export interface HostBridgeOptions {
  /** How long a request waits for its reply before it fails. */
  replyTimeoutMs?: number;
}

export class HostBridge {
  private nextRequest = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly listener = (event: MessageEvent): void => this.receive(event.data);
  private readonly replyTimeoutMs: number;

  constructor(
    private readonly api: VsCodeApi,
    /** Every valid message that is not the reply to a pending request. */
    private readonly onMessage: (message: HostMessage) => void,
    /** A message that failed validation: shown, never acted on. */
    private readonly onInvalid: (error: string) => void,
    options: HostBridgeOptions = {},
  ) {
    this.replyTimeoutMs = options.replyTimeoutMs ?? 15_000;
  }

  start(): void {
    window.addEventListener('message', this.listener);
  }

  dispose(): void {
    window.removeEventListener('message', this.listener);
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('The chat view was closed.'));
    }
    this.pending.clear();
  }

  post(message: WebviewMessage): void {
    this.api.postMessage(message);
  }

  /** Posts a message with a fresh requestId and resolves with the host message that answers it. */
  request(message: WithoutRequestId<Requestable>): Promise<HostMessage> {
    const requestId = `r${this.nextRequest++}`;
    return new Promise<HostMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error(`No answer from the extension to "${message.type}" within ${Math.round(this.replyTimeoutMs / 1000)} s.`));
      }, this.replyTimeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
      this.post({ ...message, requestId } as WebviewMessage);
    });
  }

  /** The handshake: tell the host the view is listening, get the state to restore. */
  async ready(): Promise<HostStateMessage> {
    const reply = await this.request({ type: 'ready', protocolVersion: PROTOCOL_VERSION });
    if (reply.type !== 'state') throw new Error(`The extension answered "ready" with "${reply.type}" instead of the chat state.`);
    return reply;
  }

  /** Entry point for raw `message` event data; public so tests can feed it directly. */
  receive(raw: unknown): void {
    const parsed = parseHostMessage(raw);
    if (!parsed.ok) {
      this.onInvalid(parsed.error);
      return;
    }
    const message = parsed.message;
    const inReplyTo = 'inReplyTo' in message ? message.inReplyTo : undefined;
    const waiting = inReplyTo !== undefined ? this.pending.get(inReplyTo) : undefined;
    if (inReplyTo !== undefined && waiting) {
      this.pending.delete(inReplyTo);
      clearTimeout(waiting.timer);
      waiting.resolve(message);
      // A state reply is also the state to show; a plain ack is only for the requester.
      if (message.type === 'reply') return;
    }
    this.onMessage(message);
  }
}
