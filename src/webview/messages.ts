/**
 * The thread: user requests, assistant answers (model, fallback label, tokens and cost), errors
 * with their actions, notices, and the empty state. Pure DOM construction; app.ts decides when.
 */
import type { ChatError, ChatMessage, ErrorAction, Fallback, ModelOption } from '../shared/protocol';
import { h, icon } from './dom';
import { formatMeta } from './format';
import { attachmentList } from './chips';
import type { FrameScheduler } from './frames';
import { StreamingMarkdown, renderFinishedMarkdown } from './streaming';
import { ThinkingView } from './thinking';
import { answerTools, questionTools } from './thread-actions';
import { MarkdownJob, type Deferrer } from './deferred';


/** Characters of a restored answer shown as text until its markdown is rendered. */
const PLACEHOLDER_CHARS = 1200;
/** Characters of a line of prose in a chat panel of ordinary width (a rough guess, as the height is). */
const LINE_CHARS = 100;

/** Lines of `text` rendered: wrapped prose, a blank line's paragraph gap, a code block's header. */
function estimatedLines(text: string): number {
  let lines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') lines += 0.5;
    else if (line.startsWith('```')) lines += 1.25;
    else lines += Math.ceil(line.length / LINE_CHARS);
  }
  return Math.round(lines);
}

export const ACTION_LABELS: Record<ErrorAction, string> = {
  setKey: 'Set API Key',
  pickModel: 'Pick Another Model',
  retry: 'Retry',
  allowKey: 'Allow Key for This Address…',
  startOllama: 'Start Ollama',
  pullModel: 'Pull the Model',
};

export function userMessageView(message: ChatMessage): HTMLElement {
  return h('article', { class: 'message message-user', 'data-message-id': message.id, 'aria-label': 'You said' },
    h('div', { class: 'message-header' }, icon('account', 'avatar'), h('span', { class: 'message-author' }, 'You'), questionTools(message)),
    // The user's own words are shown as typed: no markdown, so what they pasted stays visible.
    h('div', { class: 'message-body user-text' }, message.text),
    attachmentList(message.attachments));
}

export function noticeView(message: Pick<ChatMessage, 'id' | 'text'>, kind: 'info' | 'offline' = 'info'): HTMLElement {
  return h('div', { class: `notice notice-${kind}`, 'data-message-id': message.id, role: 'note' },
    icon(kind === 'offline' ? 'debug-disconnect' : 'info'), h('span', {}, message.text));
}

export function errorView(error: ChatError, messageId: string | undefined): HTMLElement {
  return h('div', { class: 'message-error', role: 'alert', 'data-error-kind': error.kind },
    h('div', { class: 'message-error-text' }, icon('error'), h('span', {}, error.message)),
    error.actions.length === 0 ? null : h('div', { class: 'message-error-actions' },
      ...error.actions.map((action, i) => h('button', {
        type: 'button',
        class: i === 0 ? 'button' : 'button button-secondary',
        'data-error-action': action,
        'data-message-id': messageId,
      }, actionIcon(action), ACTION_LABELS[action]))));
}

function fallbackLabel(fallback: Fallback): HTMLElement {
  const text = `fallback for ${fallback.requestedModel}`;
  return h('span', { class: 'badge badge-fallback', title: fallback.reason ? `${text}: ${fallback.reason}` : text }, icon('warning'), text);
}

/** An answer: header with the model, markdown body, footer with tokens and cost, maybe an error. */
export class AssistantMessageView {
  readonly element: HTMLElement;
  readonly body: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly header: HTMLElement;
  private stream: StreamingMarkdown | undefined;
  private thinkingView: ThinkingView | undefined;

  constructor(readonly id: string, model: string | undefined, fallback: Fallback | undefined) {
    this.header = h('div', { class: 'message-header' }, icon('sparkle', 'avatar'), h('span', { class: 'message-author' }, 'AnyModel'));
    if (model) this.header.append(h('span', { class: 'message-model', title: `Answered by ${model}` }, model));
    if (fallback) this.header.append(fallbackLabel(fallback));
    // An id the webview made up is not known to the host yet: nothing to regenerate by it.
    if (!id.startsWith('local-')) this.header.append(answerTools(id));
    this.body = h('div', { class: 'message-body' });
    this.footer = h('div', { class: 'message-footer' });
    const who = model ? `AnyModel (${model}${fallback ? `, fallback for ${fallback.requestedModel}` : ''}) said` : 'AnyModel said';
    this.element = h('article', { class: 'message message-assistant', 'data-message-id': id, 'aria-label': who }, this.header, this.body, this.footer);
  }

  static restored(message: ChatMessage, deferrer?: Deferrer): AssistantMessageView {
    const view = new AssistantMessageView(message.id, message.model, message.fallback);
    if (message.reasoning?.text) view.element.insertBefore((view.thinkingView = ThinkingView.restored(message.reasoning)).element, view.body);
    if (message.text && deferrer) {
      // Until it is near the screen: the start of the text as text. Laying out the whole of a long
      // answer as text, only to lay it out again as markdown a few frames later, is most of the
      // cost of scrolling into a part of a long thread not seen yet.
      const text = message.text.length > PLACEHOLDER_CHARS ? `${message.text.slice(0, PLACEHOLDER_CHARS)}…` : message.text;
      const placeholder = h('div', { class: 'markdown md-deferred' }, text);
      // About the height the whole answer will take, so rendering it moves little below it.
      // (CSSOM, not a style attribute: the CSP allows no inline style.)
      placeholder.style.minHeight = `${estimatedLines(message.text) * 1.5}em`;
      view.body.append(placeholder);
      deferrer.defer(view.element, new MarkdownJob(message.text, placeholder));
    } else if (message.text) view.body.append(renderFinishedMarkdown(message.text));
    view.setMeta(message);
    if (message.error) view.setError(message.error);
    return view;
  }

  /** Streams into this view. The body is a polite live region, busy until the answer ends, so a
   * screen reader reads the finished answer once instead of every re-rendered fragment. */
  startStreaming(scheduler: FrameScheduler, onRendered?: () => void): StreamingMarkdown {
    this.stream = new StreamingMarkdown(scheduler, onRendered);
    this.body.replaceChildren(this.stream.element);
    this.body.setAttribute('aria-live', 'polite');
    this.body.setAttribute('aria-busy', 'true');
    this.element.classList.add('streaming');
    return this.stream;
  }

  /** Reasoning of the streaming answer: into the Thinking block above it, opened by the first delta. */
  appendReasoning(text: string, scheduler: FrameScheduler, onRendered?: () => void): void {
    if (!this.stream || this.stream.isFinished) return;
    if (!this.thinkingView) this.element.insertBefore((this.thinkingView = new ThinkingView()).element, this.body);
    this.thinkingView.append(text, scheduler, onRendered);
  }

  /** Answer text: the first of it closes the Thinking block. */
  appendText(text: string): void {
    if (text) this.thinkingView?.end();
    this.streaming?.append(text);
  }

  get thinking(): ThinkingView | undefined {
    return this.thinkingView;
  }

  get streaming(): StreamingMarkdown | undefined {
    return this.stream && !this.stream.isFinished ? this.stream : undefined;
  }

  get hasText(): boolean {
    return (this.stream?.text ?? this.body.textContent ?? '').trim() !== '';
  }

  finishStreaming(): void {
    this.thinkingView?.end();
    this.stream?.finish();
    this.body.setAttribute('aria-busy', 'false');
    this.element.classList.remove('streaming');
  }

  setMeta(message: Pick<ChatMessage, 'usage' | 'cost' | 'finishReason'>): void {
    const text = formatMeta(message);
    this.footer.replaceChildren(text);
    this.footer.hidden = text === '';
  }

  setError(error: ChatError): void {
    this.element.querySelector(':scope > .message-error')?.remove();
    this.element.insertBefore(errorView(error, this.id), this.footer);
    this.element.classList.add('has-error');
  }

  clearError(): void {
    this.element.querySelector(':scope > .message-error')?.remove();
    this.element.classList.remove('has-error');
  }
}

/**
 * What to do first, and which model will answer. `problem` is what keeps that model from
 * answering (Ollama not running): said before the first question, with its actions as buttons.
 */
export function emptyStateView(currentModel: ModelOption | undefined, modelId: string | null, problem?: ChatError): HTMLElement {
  const model = currentModel?.id ?? modelId;
  const actions = h('div', { class: 'empty-actions' },
    h('button', { type: 'button', class: 'button button-secondary', 'data-empty-action': 'pickModel' }, 'Pick Model'),
    h('button', { type: 'button', class: 'button button-secondary', 'data-empty-action': 'setKey' }, icon('key'), 'Set API Key'));
  return h('div', { class: 'empty-state' },
    h('div', { class: 'empty-icon' }, icon('sparkle')),
    h('h2', {}, 'Ask AnyModel'),
    model
      ? h('p', {}, 'Answers come from ', h('strong', { class: 'empty-model' }, model),
        currentModel?.local ? ', which runs on this machine.' : '.',
        currentModel?.missingKey ? ' It needs an API key first.' : '')
      : h('p', {}, 'No model is configured yet. Pick one, or add entries to the anymodel.models setting.'),
    problem ? problemView(problem) : actions,
    h('ul', { class: 'empty-tips' },
      h('li', {}, 'Type a question below. ', kbd('Enter'), ' sends, ', kbd('Shift+Enter'), ' adds a line, ', kbd('Escape'), ' stops an answer.'),
      h('li', {}, 'Select code in the editor and run ', h('strong', {}, 'AnyModel: Ask About Selection'), ' from the context menu.'),
      h('li', {}, 'Code blocks in answers can be copied, inserted at the cursor, or applied as a diff you review.')));
}

/** The empty state's version of an error: the same text and buttons, acting as empty-state actions. */
function problemView(problem: ChatError): HTMLElement {
  return h('div', { class: 'message-error empty-problem', role: 'alert', 'data-error-kind': problem.kind },
    h('div', { class: 'message-error-text' }, icon('warning'), h('span', {}, problem.message)),
    h('div', { class: 'message-error-actions' }, ...problem.actions.map((action, i) => h('button', {
      type: 'button',
      class: i === 0 ? 'button' : 'button button-secondary',
      'data-empty-action': action,
    }, actionIcon(action), ACTION_LABELS[action]))));
}

function actionIcon(action: ErrorAction): SVGSVGElement | null {
  return action === 'setKey' || action === 'allowKey' ? icon('key') : action === 'retry' ? icon('refresh') : null;
}

function kbd(text: string): HTMLElement {
  return h('kbd', {}, text);
}
