/**
 * `#` mentions in the composer: typing `#` and part of a file name lists matching workspace
 * paths (the host answers, it alone sees the workspace); Up/Down move, Enter or Tab attaches the
 * file and leaves `#path` in the text, Escape closes the list. An ARIA combobox on the textarea
 * with a listbox, so screen readers announce the choices.
 */
import { h } from './dom';

/** `#` at the start or after a space, then a path without spaces, up to the caret. */
const MENTION = /(?:^|\s)#([^\s#]*)$/;

export interface MentionCallbacks {
  query(text: string): Promise<string[]>;
  choose(path: string): void;
}

export class MentionCompletion {
  readonly element: HTMLElement;
  private items: string[] = [];
  private active = 0;
  private open = false;
  /** Bumped per query, so a slow answer to an older one is dropped. */
  private generation = 0;

  constructor(private readonly input: HTMLTextAreaElement, private readonly callbacks: MentionCallbacks, host: HTMLElement) {
    this.element = h('ul', { class: 'mention-list', role: 'listbox', id: 'mention-list', 'aria-label': 'Files to attach', hidden: true });
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', 'mention-list');
    input.addEventListener('input', () => void this.update());
    input.addEventListener('blur', () => this.close());
    // Capture on the composer: these keys must not reach the composer's own Enter-sends handler.
    host.addEventListener('keydown', (e) => this.onKeyDown(e), { capture: true });
    this.element.addEventListener('mousedown', (e) => {
      // mousedown, not click: the textarea must keep the focus (blur would close the list first).
      const item = (e.target as Element).closest?.('[data-path]');
      if (!item) return;
      e.preventDefault();
      this.pick(item.getAttribute('data-path') ?? '');
    });
  }

  get isOpen(): boolean {
    return this.open;
  }

  private current(): { query: string; start: number } | undefined {
    const caret = this.input.selectionStart ?? this.input.value.length;
    if (caret !== this.input.selectionEnd) return undefined;
    const match = MENTION.exec(this.input.value.slice(0, caret));
    return match ? { query: match[1]!, start: caret - match[1]!.length - 1 } : undefined;
  }

  private async update(): Promise<void> {
    const mention = this.current();
    const generation = ++this.generation;
    if (!mention) { this.close(); return; }
    const paths = await this.callbacks.query(mention.query).catch(() => []);
    if (generation !== this.generation) return;
    this.items = paths;
    this.active = 0;
    this.render();
  }

  private render(): void {
    this.open = this.items.length > 0;
    this.element.hidden = !this.open;
    this.input.setAttribute('aria-expanded', String(this.open));
    this.element.replaceChildren(...this.items.map((p, i) => {
      const slash = p.lastIndexOf('/');
      return h('li', { class: `mention-item${i === this.active ? ' active' : ''}`, role: 'option', id: `mention-${i}`, 'aria-selected': String(i === this.active), 'data-path': p },
        h('span', { class: 'mention-name' }, p.slice(slash + 1)),
        slash > 0 ? h('span', { class: 'mention-dir' }, p.slice(0, slash)) : null);
    }));
    if (this.open) this.input.setAttribute('aria-activedescendant', `mention-${this.active}`);
    else this.input.removeAttribute('aria-activedescendant');
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (!this.open || e.target !== this.input || e.isComposing) return;
    const stop = () => { e.preventDefault(); e.stopPropagation(); };
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      stop();
      this.active = (this.active + (e.key === 'ArrowDown' ? 1 : this.items.length - 1)) % this.items.length;
      this.render();
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      stop();
      this.pick(this.items[this.active]!);
    } else if (e.key === 'Escape') {
      stop();
      this.close();
    }
  }

  /** Replaces `#query` with `#path ` and attaches the file. */
  private pick(path: string): void {
    const mention = this.current();
    if (!mention || !path) { this.close(); return; }
    const caret = this.input.selectionStart ?? this.input.value.length;
    const before = this.input.value.slice(0, mention.start);
    const after = this.input.value.slice(caret);
    const inserted = `#${path} `;
    this.input.value = before + inserted + after;
    const at = before.length + inserted.length;
    this.input.setSelectionRange(at, at);
    this.close();
    // The composer saves drafts and grows on input events; this edit is one too.
    this.input.dispatchEvent(new Event('input', { bubbles: true }));
    this.close();
    this.callbacks.choose(path);
  }

  close(): void {
    this.generation++;
    this.items = [];
    this.render();
  }
}
