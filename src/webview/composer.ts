/**
 * The input box: Enter sends, Shift+Enter adds a line, Escape stops a streaming answer. The
 * draft is posted (debounced) so the host can persist it across reloads, and kept in the
 * webview's own state for the cheaper hide/show case.
 */
import { h, icon } from './dom';

export interface ComposerCallbacks {
  onSend(text: string): void;
  onStop(): void;
  onDraftChanged(text: string): void;
}

export interface ComposerOptions {
  /** Quiet time before a draft change is posted. */
  draftDebounceMs?: number;
}

export class Composer {
  readonly element: HTMLElement;
  readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly hint: HTMLElement;
  private readonly buttons: HTMLElement;
  private draftTimer: ReturnType<typeof setTimeout> | undefined;
  private lastPostedDraft = '';
  private busy = false;
  private readonly debounceMs: number;

  constructor(private readonly callbacks: ComposerCallbacks, options: ComposerOptions = {}) {
    this.debounceMs = options.draftDebounceMs ?? 400;
    this.input = h('textarea', {
      class: 'composer-input',
      rows: 1,
      placeholder: 'Ask a question (Enter to send, Shift+Enter for a new line)',
      'aria-label': 'Message to the model. Enter sends, Shift+Enter adds a line, Escape stops the answer.',
    });
    this.sendButton = h('button', { type: 'button', class: 'icon-button composer-send', 'aria-label': 'Send (Enter)', title: 'Send (Enter)' }, icon('send'));
    this.stopButton = h('button', { type: 'button', class: 'icon-button composer-stop', 'aria-label': 'Stop the answer (Escape)', title: 'Stop (Escape)', hidden: true }, icon('debug-stop'));
    this.hint = h('div', { class: 'composer-hint', 'aria-hidden': 'true' });
    this.buttons = h('div', { class: 'composer-buttons' }, this.stopButton, this.sendButton);
    this.element = h('div', { class: 'composer' },
      h('div', { class: 'composer-box' }, this.input, this.buttons),
      this.hint);

    this.input.addEventListener('keydown', (e) => this.onKeyDown(e));
    this.input.addEventListener('input', () => { this.autoGrow(); this.scheduleDraft(); this.updateSendEnabled(); });
    // Leaving the box is a natural moment to save: do not wait for the debounce.
    this.input.addEventListener('blur', () => this.flushDraft());
    this.sendButton.addEventListener('click', () => this.submit());
    this.stopButton.addEventListener('click', () => this.callbacks.onStop());
    this.updateSendEnabled();
  }

  /**
   * Room for features around the input (the attachment chips and button, the context meter):
   * `above` the box, a `button` before send, `below` the hint.
   */
  addPart(where: 'above' | 'button' | 'below', element: HTMLElement): void {
    if (where === 'above') this.element.insertBefore(element, this.element.firstChild);
    else if (where === 'button') this.buttons.insertBefore(element, this.buttons.firstChild);
    else this.element.append(element);
  }

  get text(): string {
    return this.input.value;
  }

  focus(): void {
    this.input.focus();
  }

  /** While an answer streams: the stop button replaces send, and Enter does not send. */
  setBusy(busy: boolean): void {
    this.busy = busy;
    this.stopButton.hidden = !busy;
    this.sendButton.hidden = busy;
    this.hint.textContent = busy ? 'Answering… press Escape to stop.' : '';
    this.updateSendEnabled();
  }

  /** Sets the draft without posting it back (it came from the host or from restored state). */
  restoreDraft(text: string): void {
    this.input.value = text;
    this.lastPostedDraft = text;
    this.autoGrow();
    this.updateSendEnabled();
  }

  /** The host adds text (e.g. a selection); this is the user's draft now, so it is posted. */
  setDraft(text: string, mode: 'replace' | 'append'): void {
    const current = this.input.value;
    this.input.value = mode === 'append' && current.trim() !== '' ? `${current.replace(/\s+$/, '')}\n\n${text}` : text;
    this.autoGrow();
    this.updateSendEnabled();
    this.flushDraft();
    this.input.focus();
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
  }

  /** Posts a pending draft change now. */
  flushDraft(): void {
    if (this.draftTimer !== undefined) clearTimeout(this.draftTimer);
    this.draftTimer = undefined;
    if (this.input.value === this.lastPostedDraft) return;
    this.lastPostedDraft = this.input.value;
    this.callbacks.onDraftChanged(this.input.value);
  }

  dispose(): void {
    if (this.draftTimer !== undefined) clearTimeout(this.draftTimer);
  }

  private onKeyDown(e: KeyboardEvent): void {
    // An IME composing a character uses Enter to confirm it; that Enter is not "send".
    if (e.isComposing || e.keyCode === 229) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      this.submit();
    } else if (e.key === 'Escape' && this.busy) {
      e.preventDefault();
      e.stopPropagation();
      this.callbacks.onStop();
    }
  }

  private submit(): void {
    const text = this.input.value;
    if (this.busy || text.trim() === '') return;
    this.input.value = '';
    this.autoGrow();
    this.updateSendEnabled();
    this.flushDraft();
    this.callbacks.onSend(text);
  }

  private scheduleDraft(): void {
    if (this.draftTimer !== undefined) clearTimeout(this.draftTimer);
    this.draftTimer = setTimeout(() => this.flushDraft(), this.debounceMs);
  }

  private updateSendEnabled(): void {
    this.sendButton.disabled = this.input.value.trim() === '';
  }

  /** Grows with the text up to the CSS max-height, then scrolls. */
  private autoGrow(): void {
    this.input.style.height = 'auto';
    if (this.input.scrollHeight > 0) this.input.style.height = `${this.input.scrollHeight}px`;
  }
}
