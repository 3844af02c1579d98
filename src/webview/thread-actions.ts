/**
 * Working with the thread, webview side: edit an earlier question in place and resend it, step
 * through the versions of an edited question (‹ 1/2 ›), regenerate an answer with its model or
 * another (a small menu of the models), and the header's controls for the whole conversation
 * (copy as Markdown, export, import), the reasoning effort and the instruction files in use.
 * The host does the work and answers with a new `state`; nothing here changes the thread itself.
 */
import type { ChatMessage, HostMessage, InstructionsInfo, MessageOf, ModelOption, ReasoningEffort, WebviewMessage } from '../shared/protocol';
import { h, icon, iconButton } from './dom';
import { modelLabel } from './format';
import { EffortPicker } from './thinking';

export interface ThreadActionHost {
  post(message: WebviewMessage): void;
  request(message: Omit<MessageOf<WebviewMessage, 'editMessage'>, 'requestId'>): Promise<HostMessage>;
  models(): readonly ModelOption[];
  currentModel(): string | null;
  busy(): boolean;
  /** An edit went out: the answer to it is on its way (the stop button shows). */
  onResend(): void;
  /** The host refused, or did not answer. */
  onRefused(text: string): void;
}

/** The edit button and, for a question with several versions, the version switcher. */
export function questionTools(message: ChatMessage): HTMLElement {
  const tools = h('div', { class: 'message-actions', role: 'group', 'aria-label': 'Question actions' });
  const branch = message.branch;
  if (branch && branch.count > 1) {
    tools.append(h('span', { class: 'branch-switcher' },
      iconButton('chevron-left', 'Previous version of this question', { 'data-thread-action': 'branch', 'data-message-id': message.id, 'data-index': branch.index - 1, disabled: branch.index === 0 }),
      h('span', { class: 'branch-position', 'aria-label': `Version ${branch.index + 1} of ${branch.count}` }, `${branch.index + 1}/${branch.count}`),
      iconButton('chevron-right', 'Next version of this question', { 'data-thread-action': 'branch', 'data-message-id': message.id, 'data-index': branch.index + 1, disabled: branch.index + 1 >= branch.count })));
  }
  tools.append(iconButton('edit', 'Edit and resend this question', { 'data-thread-action': 'edit', 'data-message-id': message.id }));
  return tools;
}

/** Regenerate, with the answer's model or another. */
export function answerTools(messageId: string): HTMLElement {
  return h('div', { class: 'message-actions', role: 'group', 'aria-label': 'Answer actions' },
    iconButton('refresh', 'Regenerate this answer', { 'data-thread-action': 'regenerate', 'data-message-id': messageId }),
    h('button', { type: 'button', class: 'icon-button regenerate-with', 'aria-label': 'Regenerate with another model…', title: 'Regenerate with another model…', 'aria-haspopup': 'menu', 'data-thread-action': 'regenerate-with', 'data-message-id': messageId },
      icon('sparkle'), icon('chevron-right', 'icon-small')));
}

export class ThreadActions {
  readonly effort: EffortPicker;
  readonly instructions: HTMLElement;
  readonly tools: HTMLElement;
  private menu: HTMLElement | undefined;

  constructor(private readonly host: ThreadActionHost) {
    this.effort = new EffortPicker((effort) => host.post({ type: 'setReasoningEffort', effort }));
    this.instructions = h('span', { class: 'instructions', hidden: true });
    this.tools = h('span', { class: 'conversation-tools', role: 'group', 'aria-label': 'Conversation' },
      iconButton('markdown', 'Copy the conversation as Markdown', { 'data-thread-action': 'copyMarkdown' }),
      iconButton('export', 'Export the conversation as JSON…', { 'data-thread-action': 'export' }),
      iconButton('folder-opened', 'Import a conversation from JSON…', { 'data-thread-action': 'import' }));
  }

  /** What the header shows next to the model switch. */
  headerControls(): HTMLElement[] {
    return [this.effort.element, this.instructions, this.tools];
  }

  setModels(models: readonly ModelOption[], current: string | null, effort: ReasoningEffort | undefined): void {
    this.effort.set(effort, models.find((m) => m.id === current)?.reasoning === true);
  }

  setInstructions(info: InstructionsInfo | null | undefined): void {
    const badges: HTMLElement[] = (info?.files ?? []).map((f) => h('button', {
      type: 'button', class: `badge badge-instructions${f.truncated ? ' badge-warning' : ''}`, 'data-instructions': f.name,
      title: `${f.name} is the system prompt${info?.setting ? ', after anymodel.systemPrompt' : ''}${f.truncated ? ` (cut: ${info?.note ?? 'too long'})` : ''}. Click to open it.`,
    }, icon(f.truncated ? 'warning' : 'file'), f.name, f.truncated ? ' (cut)' : ''));
    if (info?.setting && badges.length === 0) badges.push(h('span', { class: 'badge badge-instructions', title: 'anymodel.systemPrompt is the system prompt' }, icon('file'), 'system prompt'));
    if (info?.note && !info.files.some((f) => f.truncated)) badges.push(h('span', { class: 'badge badge-warning', title: info.note }, icon('warning'), 'instructions not used'));
    this.instructions.replaceChildren(...badges);
    this.instructions.hidden = badges.length === 0;
  }

  setBusy(busy: boolean): void {
    this.effort.setBusy(busy);
    for (const b of Array.from(this.tools.querySelectorAll('button'))) b.disabled = busy;
  }

  /** Handles a click in the thread or the header; false when it was not one of ours. */
  handleClick(target: Element): boolean {
    const badge = target.closest<HTMLElement>('[data-instructions]');
    if (badge) { this.host.post({ type: 'openInstructions', name: badge.getAttribute('data-instructions')! }); return true; }
    const item = target.closest<HTMLElement>('[data-regenerate-model]');
    if (item) {
      this.closeMenu();
      this.regenerate(item.getAttribute('data-message-id')!, item.getAttribute('data-regenerate-model')!);
      return true;
    }
    const button = target.closest<HTMLElement>('[data-thread-action]');
    if (!button) { this.closeMenu(); return false; }
    const action = button.getAttribute('data-thread-action');
    const messageId = button.getAttribute('data-message-id') ?? '';
    if (action !== 'regenerate-with') this.closeMenu();
    switch (action) {
      case 'copyMarkdown': case 'export': case 'import':
        this.host.post({ type: 'threadAction', kind: action });
        return true;
      case 'branch':
        if (!this.host.busy()) this.host.post({ type: 'switchBranch', messageId, index: Number(button.getAttribute('data-index')) });
        return true;
      case 'edit':
        if (!this.host.busy()) this.startEdit(button.closest<HTMLElement>('article.message-user'), messageId);
        return true;
      case 'regenerate':
        this.regenerate(messageId, undefined);
        return true;
      case 'regenerate-with':
        if (this.menu) this.closeMenu(); else this.openMenu(button, messageId);
        return true;
    }
    return false;
  }

  private regenerate(messageId: string, model: string | undefined): void {
    if (this.host.busy()) return;
    this.host.onResend();
    this.host.post(model ? { type: 'regenerate', messageId, model } : { type: 'regenerate', messageId });
  }

  /** Turns the question into a text box with its text; Enter resends, Escape gives the question back. */
  private startEdit(article: HTMLElement | null, messageId: string): void {
    const body = article?.querySelector<HTMLElement>('.message-body');
    if (!article || !body || article.querySelector('.message-edit')) return;
    const input = h('textarea', { class: 'message-edit-input', 'aria-label': 'Edited question. Enter resends it, Escape cancels.', rows: 3 });
    input.value = body.textContent ?? '';
    const send = h('button', { type: 'button', class: 'button' }, 'Send');
    const cancel = h('button', { type: 'button', class: 'button button-secondary' }, 'Cancel');
    const editor = h('div', { class: 'message-edit' }, input, h('div', { class: 'message-edit-buttons' }, send, cancel));
    const close = () => { editor.remove(); body.hidden = false; };
    const submit = () => {
      const text = input.value;
      if (text.trim() === '' || this.host.busy()) return;
      const model = this.host.currentModel();
      if (!model) { this.host.onRefused('Pick a model before sending.'); return; }
      this.host.onResend();
      this.host.request({ type: 'editMessage', messageId, text, model }).then((reply) => {
        // Refused: the edit stays in its box, so nothing typed is lost.
        if (reply.type === 'reply' && !reply.ok) { editor.classList.remove('message-edit-sent'); this.host.onRefused(reply.error ?? 'The edit was not accepted.'); }
      }).catch((err: Error) => { editor.classList.remove('message-edit-sent'); this.host.onRefused(err.message); });
      editor.classList.add('message-edit-sent');
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
      // Escape here cancels the edit; it must not also reach the panel's "stop the answer".
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); close(); }
    });
    send.addEventListener('click', submit);
    cancel.addEventListener('click', close);
    body.hidden = true;
    body.after(editor);
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  private openMenu(button: HTMLElement, messageId: string): void {
    const models = this.host.models();
    this.menu = h('div', { class: 'model-menu', role: 'menu', 'aria-label': 'Regenerate with' },
      ...models.map((m) => h('button', { type: 'button', role: 'menuitem', class: 'model-menu-item', 'data-regenerate-model': m.id, 'data-message-id': messageId, title: m.id }, modelLabel(m))));
    if (models.length === 0) this.menu.append(h('div', { class: 'model-menu-empty' }, 'No models configured'));
    this.menu.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); this.closeMenu(); button.focus(); } });
    button.after(this.menu);
    button.setAttribute('aria-expanded', 'true');
    this.menu.querySelector<HTMLElement>('button')?.focus();
  }

  private closeMenu(): void {
    this.menu?.previousElementSibling?.setAttribute('aria-expanded', 'false');
    this.menu?.remove();
    this.menu = undefined;
  }
}
