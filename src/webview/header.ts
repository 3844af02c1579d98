/**
 * The panel's toolbar: the model switch, the offline badge, past conversations and new chat.
 * Native <select>s: VS Code styles them with the dropdown colours, and they are keyboard- and
 * screen-reader-complete without any custom widget.
 */
import type { ConversationSummary, ModelOption, OfflineNotice } from '../shared/protocol';
import { h, icon, iconButton } from './dom';
import { modelLabel } from './format';

export interface HeaderCallbacks {
  onModelChange(model: string): void;
  onNewChat(): void;
  onConversationChange(conversationId: string): void;
}

export class Header {
  readonly element: HTMLElement;
  readonly modelSelect: HTMLSelectElement;
  readonly historySelect: HTMLSelectElement;
  private readonly offlineBadge: HTMLElement;
  private readonly newChatButton: HTMLButtonElement;

  constructor(private readonly callbacks: HeaderCallbacks) {
    this.modelSelect = h('select', { class: 'model-select', 'aria-label': 'Model for the next message', title: 'Model for the next message' });
    this.historySelect = h('select', { class: 'history-select', 'aria-label': 'Conversation', title: 'Switch to an earlier conversation', hidden: true });
    this.offlineBadge = h('span', { class: 'badge badge-offline', role: 'status', hidden: true });
    this.newChatButton = iconButton('add', 'New chat');
    this.element = h('header', { class: 'chat-header', 'aria-label': 'Chat controls' },
      h('label', { class: 'model-picker' }, icon('sparkle'), this.modelSelect),
      this.offlineBadge,
      h('div', { class: 'spacer' }),
      this.historySelect,
      this.newChatButton);

    this.modelSelect.addEventListener('change', () => {
      if (this.modelSelect.value) this.callbacks.onModelChange(this.modelSelect.value);
    });
    this.historySelect.addEventListener('change', () => {
      if (this.historySelect.value) this.callbacks.onConversationChange(this.historySelect.value);
    });
    this.newChatButton.addEventListener('click', () => this.callbacks.onNewChat());
  }

  /** Controls other modules own (reasoning effort, instructions, conversation tools), after the model switch. */
  addControls(...controls: HTMLElement[]): void {
    this.element.querySelector(':scope > .spacer')?.before(...controls);
  }

  setModels(models: readonly ModelOption[], current: string | null): void {
    const options = models.map((m) => h('option', { value: m.id, title: m.id }, modelLabel(m)));
    // The current model may come from settings without being in the list (a raw provider/model id).
    if (current && !models.some((m) => m.id === current)) options.unshift(h('option', { value: current }, current));
    if (options.length === 0) options.push(h('option', { value: '', disabled: true }, 'No models configured'));
    this.modelSelect.replaceChildren(...options);
    this.modelSelect.value = current ?? '';
    this.modelSelect.disabled = models.length === 0 && !current;
  }

  setConversations(conversations: readonly ConversationSummary[], activeId: string | null): void {
    // One conversation (or none) needs no switcher.
    this.historySelect.hidden = conversations.length < 2;
    const sorted = [...conversations].sort((a, b) => b.updatedAt - a.updatedAt);
    const options = sorted.map((c) => h('option', { value: c.id }, c.title || 'Untitled chat'));
    // A new chat is not in the list yet: say so rather than show another conversation's title.
    const isListed = activeId !== null && sorted.some((c) => c.id === activeId);
    if (!isListed) options.unshift(h('option', { value: '', disabled: true }, 'New chat'));
    this.historySelect.replaceChildren(...options);
    this.historySelect.value = isListed ? activeId : '';
  }

  setOffline(notice: OfflineNotice | null): void {
    const active = notice?.active === true;
    this.offlineBadge.hidden = !active;
    this.offlineBadge.replaceChildren(...(active ? [icon('debug-disconnect'), notice.model ? `offline: ${notice.model}` : 'offline'] : []));
    this.offlineBadge.title = active ? notice.message : '';
  }

  /** While streaming the model cannot change under the answer; the host would refuse anyway. */
  setBusy(busy: boolean): void {
    this.modelSelect.disabled = busy || this.modelSelect.value === '';
    this.historySelect.disabled = busy;
  }
}
