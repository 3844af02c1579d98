import assert from 'node:assert/strict';
import type { HostMessage, HostStateMessage } from '../../../src/shared/protocol';
import { ChatApp } from '../../../src/webview/app';
import { FakeVsCode, ManualFrames, useDom } from './dom-env';

const STATE: Omit<HostStateMessage, 'inReplyTo'> = {
  type: 'state',
  conversations: [{ id: 'c1', title: 'Retry loop', updatedAt: 2 }, { id: 'c0', title: 'Older', updatedAt: 1 }],
  activeConversationId: 'c1',
  messages: [],
  draft: '',
  models: [{ id: 'openai/gpt-4o' }, { id: 'ollama_chat/llama3.2', local: true }],
  currentModel: 'openai/gpt-4o',
  offline: null,
};

describe('chat app', () => {
  const env = useDom();
  let vscode: FakeVsCode;
  let frames: ManualFrames;
  let app: ChatApp;
  let root: HTMLElement;

  /** Posts as the host would: through the window's message event. */
  const deliverRaw = (data: unknown): void => {
    window.dispatchEvent(new env.window.MessageEvent('message', { data }));
  };
  const deliver = (message: HostMessage): void => deliverRaw(message);
  const key = (target: Element, init: KeyboardEventInit): KeyboardEvent => {
    const event = new env.window.KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
    target.dispatchEvent(event);
    return event;
  };
  const input = (): HTMLTextAreaElement => root.querySelector('textarea')!;
  const type = (text: string): void => {
    input().value = text;
    input().dispatchEvent(new env.window.Event('input', { bubbles: true }));
  };
  const settle = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  beforeEach(async () => {
    root = document.createElement('div');
    document.body.replaceChildren(root);
    vscode = new FakeVsCode();
    frames = new ManualFrames();
    app = new ChatApp(root, vscode, { scheduler: frames, draftDebounceMs: 20, replyTimeoutMs: 200 });
    app.start();
    const ready = vscode.posted[0];
    assert.equal(ready?.type, 'ready');
    deliver({ ...STATE, inReplyTo: ready.type === 'ready' ? ready.requestId : '' });
    await settle();
  });

  afterEach(() => app.dispose());

  it('opens with a ready handshake carrying the protocol version, and restores the state it gets back', () => {
    assert.deepEqual(vscode.posted[0], { type: 'ready', requestId: 'r1', protocolVersion: 1 });
    assert.equal(root.getAttribute('aria-busy'), 'false');
    const select = root.querySelector<HTMLSelectElement>('.model-select')!;
    assert.equal(select.value, 'openai/gpt-4o');
    assert.deepEqual(Array.from(select.options).map((o) => o.textContent), ['openai/gpt-4o', 'ollama_chat/llama3.2 — local']);
    assert.equal(root.querySelector<HTMLSelectElement>('.history-select')!.hidden, false);
  });

  it('shows an empty state that says what to do first and which model answers', () => {
    const empty = root.querySelector('.empty-state');
    assert.ok(empty);
    assert.match(empty.textContent ?? '', /Answers come from openai\/gpt-4o/);
    assert.match(empty.textContent ?? '', /Enter sends/);
    empty.querySelector<HTMLButtonElement>('[data-empty-action="setKey"]')!.click();
    assert.deepEqual(vscode.ofType('action'), [{ type: 'action', kind: 'setKey' }]);
  });

  it('says in the empty state what keeps a local model from answering, with its actions as buttons', () => {
    const problem = {
      kind: 'OllamaNotRunning',
      message: 'Ollama is not running at http://127.0.0.1:11434, so ollama_chat/llama3.2 cannot answer. Start Ollama (open the Ollama app, or run "ollama serve"), then pull the model: ollama pull llama3.2. Or pick a cloud model and set its API key.',
      actions: ['startOllama', 'pullModel', 'pickModel'] as const,
    };
    deliver({ type: 'models', models: STATE.models, currentModel: 'ollama_chat/llama3.2', modelProblem: { ...problem, actions: [...problem.actions] } });
    const empty = root.querySelector('.empty-state')!;
    const alert = empty.querySelector('[role="alert"]');
    assert.ok(alert, 'shown before the first question');
    assert.match(alert.textContent ?? '', /Ollama is not running at http:\/\/127\.0\.0\.1:11434/);
    assert.match(alert.textContent ?? '', /ollama pull llama3\.2/);
    const buttons = Array.from(alert.querySelectorAll<HTMLButtonElement>('button'));
    assert.deepEqual(buttons.map((b) => b.textContent), ['Start Ollama', 'Pull the Model', 'Pick Another Model']);
    for (const b of buttons) b.click();
    assert.deepEqual(vscode.ofType('action'), [{ type: 'action', kind: 'startOllama' }, { type: 'action', kind: 'pullModel' }, { type: 'action', kind: 'pickModel' }]);

    root.querySelector<HTMLSelectElement>('.model-select')!.value = 'openai/gpt-4o';
    root.querySelector<HTMLSelectElement>('.model-select')!.dispatchEvent(new env.window.Event('change', { bubbles: true }));
    assert.equal(root.querySelector('.empty-state [role="alert"]'), null, 'another model picked: the advice was about the old one');
    assert.match(root.querySelector('.empty-state')!.textContent ?? '', /Answers come from openai\/gpt-4o/);

    deliver({ type: 'models', models: STATE.models, currentModel: 'ollama_chat/llama3.2', modelProblem: { ...problem, actions: [...problem.actions] } });
    assert.ok(root.querySelector('.empty-state [role="alert"]'));
    deliver({ type: 'models', models: STATE.models, currentModel: 'ollama_chat/llama3.2', modelProblem: null });
    assert.equal(root.querySelector('.empty-state [role="alert"]'), null, 'Ollama answered: the advice goes');
    assert.ok(root.querySelector('.empty-state [data-empty-action="setKey"]'), 'the usual first steps are back');
  });

  it('restores the empty state\'s advice from the host state after a reload', () => {
    deliver({ ...STATE, currentModel: 'ollama_chat/llama3.2', modelProblem: { kind: 'OllamaNotRunning', message: 'Ollama is not running at http://127.0.0.1:11434.', actions: ['startOllama', 'pickModel'] } });
    assert.match(root.querySelector('.empty-state [role="alert"]')?.textContent ?? '', /Ollama is not running/);
  });

  it('opens a long conversation newest first and adds the older messages a batch per frame, in order', () => {
    const messages = Array.from({ length: 100 }, (_, i) => (i % 2 === 0
      ? { id: `u${i}`, role: 'user' as const, text: `question ${i}` }
      : { id: `a${i}`, role: 'assistant' as const, text: `answer **${i}**`, model: 'openai/gpt-4o' }));
    deliver({ ...STATE, messages });
    const ids = () => Array.from(root.querySelectorAll('.message'), (el) => el.getAttribute('data-message-id'));
    assert.deepEqual(ids(), messages.slice(88).map((m) => m.id), 'the newest 12 at once');
    frames.flush();
    assert.deepEqual(ids(), messages.slice(88).map((m) => m.id), 'the first frame lays out and paints only those');
    for (let i = 0; i < 11; i++) frames.flush();
    assert.deepEqual(ids(), messages.map((m) => m.id), 'then all of them, eight per frame, in order');
    deliver({ ...STATE, messages: messages.slice(0, 40) });
    for (let i = 0; i < 20; i++) frames.flush();
    assert.deepEqual(ids(), messages.slice(0, 40).map((m) => m.id), 'a newer restore stops the batches of the one before');
  });

  it('restores a conversation after a reload, including an answer still streaming', () => {
    deliver({
      ...STATE,
      messages: [
        { id: 'u1', role: 'user', text: 'Explain `retry-after`', model: 'openai/gpt-4o' },
        { id: 'a1', role: 'assistant', text: 'It is a header.\n\n```http\nRetry-After: 2\n```', model: 'openai/gpt-4o', usage: { inputTokens: 5, outputTokens: 7, totalTokens: 12 }, cost: 0.02 },
        { id: 'u2', role: 'user', text: 'And 409?' },
        { id: 'a2', role: 'assistant', text: 'Retried as openai-node', model: 'openai/gpt-4o' },
      ],
      streamingMessageId: 'a2',
    });
    assert.equal(root.querySelectorAll('.message').length, 4);
    assert.equal(root.querySelector('[data-message-id="a1"] .message-footer')?.textContent, '12 tokens (5 in, 7 out) · $0.020');
    assert.equal(root.querySelectorAll('[data-message-id="a1"] [data-code-action]').length, 3);
    assert.equal(root.querySelector<HTMLElement>('.composer-stop')!.hidden, false, 'the stop button is back');
    deliver({ type: 'streamDelta', messageId: 'a2', text: ' does.' });
    frames.flush();
    assert.match(root.querySelector('[data-message-id="a2"] .message-body')?.textContent ?? '', /Retried as openai-node does\./);
  });

  describe('keyboard', () => {
    it('Enter sends the message with the current model and clears the box', () => {
      type('Why does the router retry 409?');
      const event = key(input(), { key: 'Enter' });
      assert.equal(event.defaultPrevented, true);
      const [send] = vscode.ofType('send');
      assert.equal(send?.text, 'Why does the router retry 409?');
      assert.equal(send?.model, 'openai/gpt-4o');
      assert.equal(send?.conversationId, 'c1');
      assert.match(send?.requestId ?? '', /^r\d+$/);
      assert.equal(input().value, '');
      assert.equal(root.querySelector('.message-user .message-body')?.textContent, 'Why does the router retry 409?');
      assert.equal(root.querySelector('.empty-state'), null);
    });

    it('Shift+Enter does not send (the textarea adds the line)', () => {
      type('first line');
      const event = key(input(), { key: 'Enter', shiftKey: true });
      assert.equal(event.defaultPrevented, false);
      assert.equal(vscode.ofType('send').length, 0);
    });

    it('Enter while an IME composes does not send', () => {
      type('にほん');
      key(input(), { key: 'Enter', isComposing: true });
      assert.equal(vscode.ofType('send').length, 0);
    });

    it('Enter on an empty or blank box sends nothing', () => {
      type('   \n ');
      key(input(), { key: 'Enter' });
      assert.equal(vscode.ofType('send').length, 0);
    });

    it('Escape stops a streaming answer, from the box or anywhere in the panel', () => {
      type('hi');
      key(input(), { key: 'Enter' });
      deliver({ type: 'streamStart', conversationId: 'c1', messageId: 'a1', model: 'openai/gpt-4o' });
      assert.equal(root.querySelector<HTMLElement>('.composer-stop')!.hidden, false);
      key(input(), { key: 'Escape' });
      assert.deepEqual(vscode.ofType('stop'), [{ type: 'stop', messageId: 'a1' }]);
      assert.equal(root.querySelector<HTMLElement>('.composer-stop')!.hidden, true);
      assert.equal(root.querySelector<HTMLElement>('.composer-send')!.hidden, false);

      type('again');
      key(input(), { key: 'Enter' });
      deliver({ type: 'streamStart', conversationId: 'c1', messageId: 'a2', model: 'openai/gpt-4o' });
      key(document.body, { key: 'Escape' });
      assert.deepEqual(vscode.ofType('stop').at(-1), { type: 'stop', messageId: 'a2' });
    });

    it('Escape with nothing streaming sends no stop', () => {
      key(input(), { key: 'Escape' });
      assert.equal(vscode.ofType('stop').length, 0);
    });
  });

  describe('draft', () => {
    it('posts the draft once typing pauses (debounced), and keeps it in webview state', async () => {
      type('h');
      type('he');
      type('hel');
      assert.equal(vscode.ofType('draftChanged').length, 0, 'not on every keystroke');
      await settle(40);
      assert.deepEqual(vscode.ofType('draftChanged'), [{ type: 'draftChanged', text: 'hel' }]);
      assert.deepEqual(vscode.state, { draft: 'hel' });
    });

    it('posts the draft at once when the box loses focus', () => {
      type('unsent thought');
      input().dispatchEvent(new env.window.FocusEvent('blur'));
      assert.deepEqual(vscode.ofType('draftChanged'), [{ type: 'draftChanged', text: 'unsent thought' }]);
    });

    it('posts an empty draft after sending, so a reload does not bring the sent text back', async () => {
      type('sent');
      await settle(40);
      assert.deepEqual(vscode.ofType('draftChanged'), [{ type: 'draftChanged', text: 'sent' }]);
      key(input(), { key: 'Enter' });
      assert.deepEqual(vscode.ofType('draftChanged').at(-1), { type: 'draftChanged', text: '' });
    });

    it('restores the draft from the host state, and appends text the host adds', () => {
      deliver({ ...STATE, draft: 'restored draft' });
      assert.equal(input().value, 'restored draft');
      deliver({ type: 'setDraft', text: '```ts\nconst x = 1;\n```', mode: 'append' });
      assert.equal(input().value, 'restored draft\n\n```ts\nconst x = 1;\n```');
      assert.deepEqual(vscode.ofType('draftChanged').at(-1), { type: 'draftChanged', text: input().value });
    });
  });

  describe('streaming answers', () => {
    it('renders deltas per frame, then the model, fallback label, tokens and cost', () => {
      deliver({ type: 'streamStart', conversationId: 'c1', messageId: 'a1', model: 'ollama_chat/llama3.2', fallback: { requestedModel: 'openai/gpt-4o', reason: 'connection refused' } });
      const message = root.querySelector('[data-message-id="a1"]')!;
      const body = message.querySelector('.message-body')!;
      assert.equal(body.getAttribute('aria-live'), 'polite');
      assert.equal(body.getAttribute('aria-busy'), 'true');
      deliver({ type: 'streamDelta', messageId: 'a1', text: 'Use **exponential' });
      deliver({ type: 'streamDelta', messageId: 'a1', text: ' backoff**.' });
      assert.equal(frames.pending, 1);
      frames.flush();
      assert.equal(body.querySelector('strong')?.textContent, 'exponential backoff');
      deliver({ type: 'streamEnd', messageId: 'a1', usage: { inputTokens: 1200, outputTokens: 34, totalTokens: 1234 }, cost: 0.0012, finishReason: 'stop' });
      assert.equal(body.getAttribute('aria-busy'), 'false');
      assert.equal(message.querySelector('.message-model')?.textContent, 'ollama_chat/llama3.2');
      assert.equal(message.querySelector('.badge-fallback')?.textContent, 'fallback for openai/gpt-4o');
      assert.match(message.getAttribute('aria-label') ?? '', /fallback for openai\/gpt-4o/);
      assert.equal(message.querySelector('.message-footer')?.textContent, '1,234 tokens (1,200 in, 34 out) · $0.0012');
    });

    it('says when the price is unknown and when an answer was cut off', () => {
      deliver({ type: 'streamStart', conversationId: 'c1', messageId: 'a1', model: 'hosted_vllm/qwen' });
      deliver({ type: 'streamEnd', messageId: 'a1', usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 }, cost: null, finishReason: 'length' });
      assert.equal(root.querySelector('[data-message-id="a1"] .message-footer')?.textContent, '3 tokens (1 in, 2 out) · cost unknown · cut off at the length limit');
    });

    it('posts code block actions with the code and its language', () => {
      deliver({ type: 'streamStart', conversationId: 'c1', messageId: 'a1', model: 'openai/gpt-4o' });
      deliver({ type: 'streamDelta', messageId: 'a1', text: '```python\nprint("hi")\n```\n' });
      deliver({ type: 'streamEnd', messageId: 'a1', cost: 0, finishReason: 'stop' });
      for (const action of ['copy', 'insert', 'apply']) root.querySelector<HTMLButtonElement>(`[data-code-action="${action}"]`)!.click();
      assert.deepEqual(vscode.posted.filter((m) => /Code$/.test(m.type)), [
        { type: 'copyCode', code: 'print("hi")', language: 'python' },
        { type: 'insertCode', code: 'print("hi")', language: 'python' },
        { type: 'applyCode', code: 'print("hi")', language: 'python' },
      ]);
    });

    it('never navigates on a link click: it asks the host to open it', () => {
      deliver({ type: 'streamStart', conversationId: 'c1', messageId: 'a1', model: 'openai/gpt-4o' });
      deliver({ type: 'streamDelta', messageId: 'a1', text: 'See [the docs](https://docs.litellm.ai/docs/).' });
      deliver({ type: 'streamEnd', messageId: 'a1', cost: 0, finishReason: 'stop' });
      const link = root.querySelector('a')!;
      const click = new env.window.MouseEvent('click', { bubbles: true, cancelable: true });
      link.dispatchEvent(click);
      assert.equal(click.defaultPrevented, true);
      assert.deepEqual(vscode.ofType('openLink'), [{ type: 'openLink', url: 'https://docs.litellm.ai/docs/' }]);
    });

    it('ignores deltas for an answer it does not know', () => {
      deliver({ type: 'streamDelta', messageId: 'nobody', text: 'stray' });
      frames.flush();
      assert.doesNotMatch(root.textContent ?? '', /stray/);
    });
  });

  describe('errors', () => {
    it('shows a failed request in the thread with its actions, which post to the host', () => {
      type('hello');
      key(input(), { key: 'Enter' });
      deliver({ type: 'streamError', message: 'No API key stored for openai.', kind: 'Authentication', actions: ['setKey', 'pickModel', 'retry'] });
      const error = root.querySelector('.message-error')!;
      assert.equal(error.getAttribute('role'), 'alert');
      assert.match(error.textContent ?? '', /No API key stored for openai\./);
      assert.equal(root.querySelector<HTMLElement>('.composer-send')!.hidden, false, 'input usable again');
      const buttons = Array.from(error.querySelectorAll<HTMLButtonElement>('button'));
      assert.deepEqual(buttons.map((b) => b.textContent), ['Set API Key', 'Pick Another Model', 'Retry']);
      buttons[0]!.click();
      buttons[1]!.click();
      assert.deepEqual(vscode.ofType('action'), [{ type: 'action', kind: 'setKey' }, { type: 'action', kind: 'pickModel' }]);
      buttons[2]!.click();
      assert.deepEqual(vscode.ofType('retry'), [{ type: 'retry' }]);
      assert.equal(root.querySelector('.message-error'), null, 'the failed attempt makes way for the retry');
    });

    it('keeps the partial answer when a stream fails midway, and retries by its id', () => {
      deliver({ type: 'streamStart', conversationId: 'c1', messageId: 'a1', model: 'openai/gpt-4o' });
      deliver({ type: 'streamDelta', messageId: 'a1', text: 'Partial answer' });
      deliver({ type: 'streamError', messageId: 'a1', message: 'Connection reset', kind: 'APIConnection', actions: ['retry'] });
      const message = root.querySelector('[data-message-id="a1"]')!;
      assert.match(message.textContent ?? '', /Partial answer/);
      assert.match(message.querySelector('.message-error')?.textContent ?? '', /Connection reset/);
      message.querySelector<HTMLButtonElement>('[data-error-action="retry"]')!.click();
      assert.deepEqual(vscode.ofType('retry'), [{ type: 'retry', messageId: 'a1' }]);
    });

    it('shows a message that fails validation as an error and does not act on it', () => {
      const warnings: unknown[] = [];
      const warn = console.warn;
      console.warn = (...args: unknown[]) => { warnings.push(args.join(' ')); };
      try {
        deliverBadMessages();
      } finally {
        console.warn = warn;
      }
      assert.equal(warnings.length, 2, 'each rejected message is logged');
    });

    function deliverBadMessages(): void {
      deliver({ type: 'streamStart', conversationId: 'c1', messageId: 'a1', model: 'openai/gpt-4o' });
      deliverRaw({ type: 'streamDelta', messageId: 'a1', text: { html: '<img src=x onerror=alert(1)>' } });
      deliverRaw({ type: 'runScript', code: 'alert(1)' });
      frames.flush();
      const errors = Array.from(root.querySelectorAll('.message-error')).map((e) => e.textContent);
      assert.equal(errors.length, 2);
      assert.match(errors[0] ?? '', /streamDelta\.text: expected string, got object/);
      assert.match(errors[1] ?? '', /runScript\.type: unknown message type/);
      assert.equal(root.querySelector('img'), null);
    }

    it('shows a send the host refuses, and puts the text back in the box', async () => {
      type('keep me');
      key(input(), { key: 'Enter' });
      const [send] = vscode.ofType('send');
      deliver({ type: 'reply', inReplyTo: send!.requestId!, ok: false, error: 'Conversation c1 no longer exists.' });
      await settle();
      assert.match(root.querySelector('.message-error')?.textContent ?? '', /Conversation c1 no longer exists\./);
      assert.equal(input().value, 'keep me');
      assert.equal(root.querySelector<HTMLElement>('.composer-send')!.hidden, false);
    });

    it('reports a send the host never answers, and frees the input', async () => {
      type('anyone there?');
      key(input(), { key: 'Enter' });
      await settle(250);
      assert.match(root.querySelector('.message-error')?.textContent ?? '', /No answer from the extension to "send"/);
      assert.equal(root.querySelector<HTMLElement>('.composer-send')!.hidden, false);
    });
  });

  describe('panel controls', () => {
    it('switches the model, starts a new chat, and opens an older conversation', () => {
      const select = root.querySelector<HTMLSelectElement>('.model-select')!;
      select.value = 'ollama_chat/llama3.2';
      select.dispatchEvent(new env.window.Event('change'));
      root.querySelector<HTMLButtonElement>('[aria-label="New chat"]')!.click();
      const history = root.querySelector<HTMLSelectElement>('.history-select')!;
      history.value = 'c0';
      history.dispatchEvent(new env.window.Event('change'));
      assert.deepEqual(vscode.posted.slice(1), [
        { type: 'switchModel', model: 'ollama_chat/llama3.2' },
        { type: 'newChat' },
        { type: 'switchConversation', conversationId: 'c0' },
      ]);
    });

    it('shows the offline switch in the header and in the thread', () => {
      deliver({ type: 'offline', notice: { active: true, model: 'ollama_chat/llama3.2', message: 'Offline: answering with ollama_chat/llama3.2 until openai is reachable again.' } });
      assert.equal(root.querySelector<HTMLElement>('.badge-offline')!.hidden, false);
      assert.match(root.querySelector('.notice-offline')?.textContent ?? '', /Offline: answering with ollama_chat\/llama3\.2/);
    });

    it('labels every icon-only button', () => {
      const unlabeled = Array.from(root.querySelectorAll('button')).filter((b) => !b.getAttribute('aria-label') && (b.textContent ?? '').trim() === '');
      assert.deepEqual(unlabeled.map((b) => b.outerHTML), []);
    });
  });
});
