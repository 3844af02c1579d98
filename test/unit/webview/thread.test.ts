/**
 * The chat webview's thread features in jsdom: the Thinking block (open while reasoning streams,
 * collapsed with its duration at the first answer text, kept in a restored answer), the
 * reasoning-effort select, the instruction badges, editing a question (the message posted, a
 * refusal keeps the edit), the version switcher, regenerate with another model, and older answers
 * whose markdown waits until they come near the screen.
 */
import assert from 'node:assert/strict';
import type { ChatMessage, HostMessage, HostStateMessage } from '../../../src/shared/protocol';
import { ChatApp } from '../../../src/webview/app';
import { ThinkingView, thoughtFor } from '../../../src/webview/thinking';
import { FakeVsCode, ManualFrames, useDom } from './dom-env';
import { waitFor } from '../helpers/wait';

const STATE: Omit<HostStateMessage, 'inReplyTo'> = {
  type: 'state', conversations: [{ id: 'c1', title: 'Retry loop', updatedAt: 2 }], activeConversationId: 'c1', messages: [], draft: '',
  models: [{ id: 'claude', reasoning: true }, { id: 'cloud' }], currentModel: 'claude', offline: null, reasoningEffort: 'high',
};

describe('chat webview: thinking and working with the thread', () => {
  const env = useDom();
  let vscode: FakeVsCode;
  let frames: ManualFrames;
  let app: ChatApp;
  let root: HTMLElement;
  const deliver = (message: HostMessage): void => { window.dispatchEvent(new env.window.MessageEvent('message', { data: message })); };
  const click = (el: Element | null): void => { assert.ok(el, 'the element is there'); (el as HTMLElement).click(); };

  beforeEach(async () => {
    root = document.createElement('div');
    document.body.replaceChildren(root);
    vscode = new FakeVsCode();
    frames = new ManualFrames();
    app = new ChatApp(root, vscode, { scheduler: frames, draftDebounceMs: 20, replyTimeoutMs: 300 });
    app.start();
    const ready = vscode.posted[0]!;
    deliver({ ...STATE, inReplyTo: ready.type === 'ready' ? ready.requestId : '' });
    await waitFor(() => root.getAttribute('aria-busy') === 'false', 'the restored state');
  });
  afterEach(() => app.dispose());

  it('streams reasoning into an open Thinking block that collapses, with its duration, when the answer starts', () => {
    deliver({ type: 'streamStart', conversationId: 'c1', messageId: 'a1', model: 'claude' });
    deliver({ type: 'streamReasoning', messageId: 'a1', text: 'The user asks about **backoff**. ' });
    deliver({ type: 'streamReasoning', messageId: 'a1', text: 'Retry-After first.' });
    frames.flush();
    const answer = root.querySelector('article[data-message-id="a1"]')!;
    const block = answer.querySelector<HTMLDetailsElement>('details.thinking')!;
    assert.ok(block, 'a Thinking block');
    assert.ok(block.compareDocumentPosition(answer.querySelector('.message-body')!) & Node.DOCUMENT_POSITION_FOLLOWING, 'above the answer');
    assert.equal(block.open, true, 'open while thinking');
    assert.equal(block.querySelector('.thinking-label')!.textContent, 'Thinking…');
    assert.equal(block.querySelector('.thinking-body strong')!.textContent, 'backoff', 'its markdown is rendered');
    deliver({ type: 'streamDelta', messageId: 'a1', text: 'Honour Retry-After.' });
    frames.flush();
    assert.equal(block.open, false, 'collapsed when the answer starts');
    assert.match(block.querySelector('.thinking-label')!.textContent!, /^Thought for (less than a second|\d+ s)$/);
    assert.equal(answer.querySelector('.message-body')!.textContent!.trim(), 'Honour Retry-After.', 'the thoughts are not in the answer');
    assert.equal(block.querySelector('.thinking-body')!.textContent!.trim(), 'The user asks about backoff. Retry-After first.');
  });

  it('measures the thinking time from the first thought to the first answer text', () => {
    let now = 1000;
    const view = new ThinkingView(() => now);
    view.append('hmm', frames);
    now = 4200;
    view.end();
    assert.equal(view.duration, 3200);
    assert.equal(view.element.querySelector('.thinking-label')!.textContent, 'Thought for 3 s');
    assert.equal(thoughtFor(65_000), 'Thought for 1 min 5 s');
    assert.equal(thoughtFor(400), 'Thought for less than a second');
  });

  it('keeps the Thinking block of a restored answer, closed, rendering it when opened', () => {
    const messages: ChatMessage[] = [
      { id: 'u1', role: 'user', text: 'Why?' },
      { id: 'a1', role: 'assistant', text: 'Because.', model: 'claude', reasoning: { text: 'Let me *think*.', durationMs: 7000 } },
    ];
    deliver({ ...STATE, messages });
    const block = root.querySelector<HTMLDetailsElement>('article[data-message-id="a1"] details.thinking')!;
    assert.equal(block.open, false);
    assert.equal(block.querySelector('.thinking-label')!.textContent, 'Thought for 7 s');
    assert.equal(block.querySelector('.thinking-body')!.childElementCount, 0, 'not rendered until opened');
    block.open = true;
    block.dispatchEvent(new env.window.Event('toggle'));
    assert.equal(block.querySelector('.thinking-body em')!.textContent, 'think');
  });

  it('shows the reasoning effort only for a model that reasons, and posts the choice', () => {
    const effort = root.querySelector<HTMLSelectElement>('.effort-select')!;
    assert.equal(effort.hidden, false);
    assert.equal(effort.value, 'high', 'the remembered effort');
    effort.value = 'off';
    effort.dispatchEvent(new env.window.Event('change', { bubbles: true }));
    assert.deepEqual(vscode.ofType('setReasoningEffort'), [{ type: 'setReasoningEffort', effort: 'off' }]);
    deliver({ type: 'models', models: STATE.models, currentModel: 'cloud', reasoningEffort: 'off' });
    assert.equal(effort.hidden, true, 'cloud does not reason');
  });

  it('names the instruction file in use in the header, and asks the host to open it by name', () => {
    deliver({ type: 'instructions', instructions: { files: [{ name: 'AGENTS.md', truncated: false }, { name: '.github/copilot-instructions.md', truncated: true }], setting: true, note: '.github/copilot-instructions.md was cut to 100 characters.' } });
    const badges = Array.from(root.querySelectorAll<HTMLButtonElement>('.chat-header [data-instructions]'));
    assert.deepEqual(badges.map((b) => b.textContent), ['AGENTS.md', '.github/copilot-instructions.md (cut)']);
    assert.match(badges[1]!.title, /cut to 100 characters/);
    click(badges[0]!);
    assert.deepEqual(vscode.ofType('openInstructions'), [{ type: 'openInstructions', name: 'AGENTS.md' }]);
    deliver({ type: 'instructions', instructions: null });
    assert.equal(root.querySelector<HTMLElement>('.chat-header .instructions')!.hidden, true);
  });

  it('edits a question in place: Enter posts the new text, and a refusal keeps the edit in its box', async () => {
    deliver({ ...STATE, messages: [{ id: 'u1', role: 'user', text: 'first question' }, { id: 'a1', role: 'assistant', text: 'answer', model: 'claude' }] });
    click(root.querySelector('article[data-message-id="u1"] [data-thread-action="edit"]'));
    const box = root.querySelector<HTMLTextAreaElement>('article[data-message-id="u1"] textarea.message-edit-input')!;
    assert.equal(box.value, 'first question');
    box.value = 'better question';
    box.dispatchEvent(new env.window.KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    const [edit] = vscode.ofType('editMessage');
    assert.deepEqual({ ...edit, requestId: undefined }, { type: 'editMessage', requestId: undefined, messageId: 'u1', text: 'better question', model: 'claude' });
    assert.ok(root.querySelector('button.composer-stop:not([hidden])'), 'the answer is on its way');
    deliver({ type: 'reply', inReplyTo: edit!.requestId!, ok: false, error: 'An answer is still streaming.' });
    await waitFor(() => root.querySelector('.message-error'), 'the refusal shown');
    assert.equal(root.querySelector<HTMLTextAreaElement>('textarea.message-edit-input')?.value, 'better question', 'nothing typed is lost');
    assert.match(root.querySelector('.message-error')!.textContent!, /still streaming/);
    root.querySelector('textarea.message-edit-input')!.dispatchEvent(new env.window.KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
    assert.equal(root.querySelector('textarea.message-edit-input'), null, 'Escape cancels the edit');
    assert.equal(root.querySelector<HTMLElement>('article[data-message-id="u1"] .message-body')!.hidden, false);
  });

  it('shows ‹ 2/2 › on an edited question and posts the version to switch to', () => {
    deliver({ ...STATE, messages: [{ id: 'u2', role: 'user', text: 'better question', slot: 'u1', branch: { index: 1, count: 2 } }] });
    const switcher = root.querySelector('article[data-message-id="u2"] .branch-switcher')!;
    assert.equal(switcher.querySelector('.branch-position')!.textContent, '2/2');
    assert.equal(switcher.querySelector<HTMLButtonElement>('[aria-label="Next version of this question"]')!.disabled, true);
    click(switcher.querySelector('[aria-label="Previous version of this question"]'));
    assert.deepEqual(vscode.ofType('switchBranch'), [{ type: 'switchBranch', messageId: 'u2', index: 0 }]);
  });

  it('regenerates an answer with its own model, or with another one picked from the menu', () => {
    deliver({ ...STATE, messages: [{ id: 'u1', role: 'user', text: 'q' }, { id: 'a1', role: 'assistant', text: 'answer', model: 'claude' }] });
    click(root.querySelector('article[data-message-id="a1"] [data-thread-action="regenerate"]'));
    assert.deepEqual(vscode.ofType('regenerate'), [{ type: 'regenerate', messageId: 'a1' }]);
    deliver({ type: 'streamError', messageId: 'x', message: 'stop', kind: 'Error', actions: [] }); // ends the wait
    click(root.querySelector('article[data-message-id="a1"] [data-thread-action="regenerate-with"]'));
    const items = Array.from(root.querySelectorAll<HTMLButtonElement>('.model-menu [data-regenerate-model]'));
    assert.deepEqual(items.map((i) => i.getAttribute('data-regenerate-model')), ['claude', 'cloud']);
    click(items[1]!);
    assert.deepEqual(vscode.ofType('regenerate').at(-1), { type: 'regenerate', messageId: 'a1', model: 'cloud' });
    assert.equal(root.querySelector('.model-menu'), null, 'the menu closes');
  });

  it('posts the conversation tools to the host', () => {
    for (const kind of ['copyMarkdown', 'export', 'import'] as const) click(root.querySelector(`.chat-header [data-thread-action="${kind}"]`));
    assert.deepEqual(vscode.ofType('threadAction').map((m) => m.kind), ['copyMarkdown', 'export', 'import']);
  });
});

describe('chat webview: a long conversation renders older answers near the screen only', () => {
  const env = useDom();
  const observed: { target: Element; callback: IntersectionObserverCallback }[] = [];
  const options: IntersectionObserverInit[] = [];
  class FakeIntersectionObserver {
    constructor(private readonly callback: IntersectionObserverCallback, init: IntersectionObserverInit) { options.push(init); }
    observe(target: Element): void { observed.push({ target, callback: this.callback }); }
    unobserve(target: Element): void { observed.splice(observed.findIndex((o) => o.target === target), 1); }
    disconnect(): void { observed.length = 0; }
  }
  before(() => { (globalThis as Record<string, unknown>).IntersectionObserver = FakeIntersectionObserver; });
  after(() => { delete (globalThis as Record<string, unknown>).IntersectionObserver; });

  /** A panel showing a restored conversation of `count` messages, questions and answers in turn. */
  async function openConversation(count: number) {
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const frames = new ManualFrames();
    const vscode = new FakeVsCode();
    const app = new ChatApp(root, vscode, { scheduler: frames });
    app.start();
    const messages: ChatMessage[] = [];
    for (let i = 0; i < count; i++) messages.push(i % 2 ? { id: `m${i}`, role: 'assistant', text: `Answer **${i}**`, model: 'claude' } : { id: `m${i}`, role: 'user', text: `Q ${i}` });
    const ready = vscode.posted[0]!;
    window.dispatchEvent(new env.window.MessageEvent('message', { data: { ...STATE, messages, inReplyTo: ready.type === 'ready' ? ready.requestId : '' } }));
    await waitFor(() => root.querySelector(`[data-message-id="m${count - 1}"]`), 'the restored conversation');
    assert.ok(frames.pending > 0, 'opened before any frame ran');
    // The newest answers render in the task right after the state's, before any frame.
    await waitFor(() => root.querySelector(`[data-message-id="m${count - 1}"] strong`), 'the newest answer rendered');
    return { root, frames, app };
  }

  it('puts older answers in as text, renders each one when it intersects, and keeps the newest rendered', async () => {
    const { root, frames, app } = await openConversation(400);
    assert.equal(root.querySelector('[data-message-id="m399"] strong')?.textContent, '399', 'the newest are rendered first');
    // A clock that stands still: what a frame holds is then its count limit, not how fast this
    // machine builds a message (the time budget has a test of its own below).
    const now = performance.now.bind(performance);
    performance.now = () => 0;
    let rounds = 0;
    try {
      while (frames.pending && rounds++ < 40) frames.flush();
    } finally {
      performance.now = now;
    }
    // Beyond the window's 150 (window.ts) the earlier ones wait out of the page until the reader
    // nears the top, which a thread without layout always is: they come in a chunk per frame.
    assert.ok(rounds <= 30, `400 messages in place within a few frames (${rounds})`);
    assert.equal(root.querySelectorAll('article.message').length, 400);
    const old = root.querySelector('[data-message-id="m1"]')!;
    assert.equal(old.querySelector('strong'), null, 'an old answer is text until seen');
    assert.equal(old.querySelector('.md-deferred')!.textContent, 'Answer **1**');
    const entry = observed.find((o) => o.target === old)!;
    assert.equal(options[0]!.root, root.querySelector('main.thread'), 'observed against the scrolling thread, so the margin counts');
    entry.callback([{ target: old, isIntersecting: true } as IntersectionObserverEntry], {} as IntersectionObserver);
    assert.equal(old.querySelector('strong'), null, 'not in the observer\'s task');
    frames.flush();
    assert.equal(old.querySelector('strong')?.textContent, '1', 'rendered in the next frame, once near the screen');
    assert.equal(old.querySelector('.md-deferred'), null);
    app.dispose();
  });

  it('builds a restore\'s earlier messages within a frame\'s budget: fewer per frame when each is slow, all of them in order in the end', async () => {
    const { root, frames, app } = await openConversation(60);
    const ids = () => Array.from(root.querySelectorAll('article.message'), (el) => el.getAttribute('data-message-id'));
    assert.equal(ids().length, 12, 'the newest at once');
    // Every clock reading 2 ms later: a message costs about 2 ms, three fit in the 6 ms budget.
    const now = performance.now.bind(performance);
    let clock = 0;
    performance.now = () => (clock += 2);
    const added: number[] = [];
    try {
      for (let i = 0; i < 60 && ids().length < 60; i++) {
        const before = ids().length;
        frames.flush();
        if (ids().length > before) added.push(ids().length - before);
      }
    } finally {
      performance.now = now;
    }
    assert.equal(ids().length, 60);
    assert.deepEqual(ids(), Array.from({ length: 60 }, (_, i) => `m${i}`), 'in order, none twice');
    assert.ok(added.length > 2 && added.every((n) => n >= 1 && n < 25), `a few per frame, not the batch of 25 (${added.join(', ')})`);
    app.dispose();
  });

  it('puts one earlier message in a frame whose other callbacks already spent its budget', async () => {
    const { root, frames, app } = await openConversation(40);
    const ids = () => root.querySelectorAll('article.message').length;
    // A clock that only the frame's first callback moves, past the 6 ms budget: the layout of
    // the newest messages (or V8 finishing a compilation) in the frames after a state.
    const now = performance.now.bind(performance);
    let clock = 0;
    performance.now = () => clock;
    const added: number[] = [];
    try {
      for (let i = 0; i < 60 && ids() < 40; i++) {
        frames.read(() => { clock += 10; });
        const before = ids();
        frames.flush();
        added.push(ids() - before);
      }
    } finally {
      performance.now = now;
    }
    assert.equal(ids(), 40);
    assert.ok(added.every((n) => n <= 1), `at most one per frame (${added.join(', ')})`);
    app.dispose();
  });

  it('colours a restored answer\'s code after its markdown, and its buttons post the code as written', async () => {
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const vscode = new FakeVsCode();
    const frames = new ManualFrames();
    const app = new ChatApp(root, vscode, { scheduler: frames });
    app.start();
    const code = 'def retry(n):\n    return min(30, 2 ** n)  # <seconds> & "more"';
    const messages: ChatMessage[] = [
      { id: 'q1', role: 'user', text: 'How long?' },
      { id: 'a1', role: 'assistant', model: 'claude', text: `Back off:\n\n\`\`\`python\n${code}\n\`\`\`\n\nThat is **all**.` },
    ];
    const ready = vscode.posted[0]!;
    window.dispatchEvent(new env.window.MessageEvent('message', { data: { ...STATE, messages, inReplyTo: ready.type === 'ready' ? ready.requestId : '' } }));
    // Frames run as the test waits: what does not fit in the first task's budget follows in them.
    const block = await waitFor(() => { frames.flush(); return root.querySelector<HTMLElement>('[data-message-id="a1"] .code-block'); }, 'the answer rendered');
    assert.ok(block.querySelector('span[class^="hljs-"]'), 'highlighted');
    assert.equal(block.classList.contains('code-unhighlighted'), false);
    assert.equal(root.querySelector('[data-message-id="a1"] strong')?.textContent, 'all', 'the markdown after the code is there too');
    const copy = block.querySelector<HTMLButtonElement>('[data-code-action="copy"]')!;
    copy.click();
    assert.ok(copy.querySelector('.icon-check'), 'the copy button shows a check');
    assert.equal(root.querySelector('.sr-only[role="status"]')?.textContent, 'Code copied.', 'and says so to a screen reader');
    for (const action of ['insert', 'apply']) block.querySelector<HTMLButtonElement>(`[data-code-action="${action}"]`)!.click();
    assert.equal(block.querySelector('[data-code-action="insert"] .icon-check'), null, 'only copy flashes');
    assert.deepEqual(vscode.posted.filter((m) => /Code$/.test(m.type)), [
      { type: 'copyCode', code, language: 'python' },
      { type: 'insertCode', code, language: 'python' },
      { type: 'applyCode', code, language: 'python' },
    ]);
    app.dispose();
  });

  it('renders answers that come near the screen together a few per frame, none in the observer\'s task', async () => {
    observed.length = 0;
    const { frames, app } = await openConversation(60);
    while (frames.pending) frames.flush();
    const waiting = observed.slice(0, 10);
    assert.equal(waiting.length, 10, 'older answers wait for the screen');
    // Each clock reading 5 ms later: a frame's budget (RENDER_BUDGET_MS) holds one or two answers.
    const now = performance.now.bind(performance);
    let clock = 0;
    performance.now = () => (clock += 5);
    try {
      waiting[0]!.callback(waiting.map((o) => ({ target: o.target, isIntersecting: true }) as IntersectionObserverEntry), {} as IntersectionObserver);
      const rendered = () => waiting.filter((o) => o.target.querySelector('strong')).length;
      // The observer's callback is a task after a frame's rendering: what it did would add to the
      // next frame's own drain.
      assert.equal(rendered(), 0, 'none in the observer\'s task');
      frames.flush();
      const first = rendered();
      assert.ok(first >= 1 && first < 10, `some in the next frame, not all (${first})`);
      frames.flush();
      assert.ok(rendered() > first, 'more in the frame after');
      for (let i = 0; frames.pending && i < 20; i++) frames.flush();
      assert.equal(rendered(), 10, 'then all of them');
    } finally {
      performance.now = now;
    }
    app.dispose();
  });
});
