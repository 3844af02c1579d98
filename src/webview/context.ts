/**
 * The composer's context: attachment chips and the attach button, `#` mentions, paste and drop
 * of images and Explorer files, and the context meter. The webview reads nothing itself: a path,
 * a dropped URI or a pasted image goes to the host, which checks and reads it and answers with
 * the attachment list (docs/architecture.md#context-attachments). Before a send it says whether
 * the message may go: a model without vision, or a conversation that would not fit the model's
 * window, gets a clear choice here instead of an upstream error; the draft stays in the box.
 */
import type { Attachment, ContextUsage, HostMessage } from '../shared/protocol';
import { ChipRow } from './chips';
import type { Composer } from './composer';
import { h, icon } from './dom';
import type { HostBridge } from './host';
import { MentionCompletion } from './mentions';
import { ContextMeterView } from './meter';

type AttachRequest = { source: 'menu' | 'path' | 'uris' | 'image'; path?: string; uris?: string[]; dataUrl?: string; name?: string };

export interface ComposerContextOptions {
  /** Sends `text` again with the user's answer to the context choice. */
  resend(text: string, options: { dropOldest: boolean }): void;
  /** Runs "pick model" (a model without vision). */
  pickModel(): void;
}

/** What a send carries from here. */
export interface SendContext {
  attachments: Attachment[];
  attachmentIds?: string[];
  dropOldest?: boolean;
}

export class ComposerContext {
  readonly chips: ChipRow;
  readonly meter = new ContextMeterView();
  readonly mentions: MentionCompletion;
  /** Refusals and choices, above the input: role=alert, so they are read out. */
  readonly alert: HTMLElement;
  private usage: ContextUsage | null = null;

  constructor(private readonly bridge: HostBridge, private readonly composer: Composer, private readonly options: ComposerContextOptions) {
    this.chips = new ChipRow((id) => bridge.post({ type: 'detach', id }));
    this.alert = h('div', { class: 'composer-alert', role: 'alert', hidden: true });
    const attachButton = h('button', { type: 'button', class: 'icon-button composer-attach', 'aria-label': 'Attach context (files, editor, selection, problems)', title: 'Attach files, the active editor, the selection or problems (or type #)' }, icon('attach'));
    attachButton.addEventListener('click', () => this.attach({ source: 'menu' }));
    this.mentions = new MentionCompletion(composer.input, {
      query: async (query) => {
        const reply = await bridge.request({ type: 'mentionQuery', query });
        return reply.type === 'mentions' ? reply.paths : [];
      },
      choose: (path) => this.attach({ source: 'path', path }),
    }, composer.element);
    composer.addPart('above', this.mentions.element);
    composer.addPart('above', this.chips.element);
    composer.addPart('above', this.alert);
    composer.addPart('button', attachButton);
    composer.addPart('below', this.meter.element);
    composer.input.addEventListener('input', () => this.refreshMeter());
    composer.input.addEventListener('paste', (e) => this.onPaste(e));
    composer.element.addEventListener('dragover', (e) => this.onDragOver(e));
    composer.element.addEventListener('drop', (e) => this.onDrop(e));
  }

  /** A host message this part handles; false for the others. */
  handle(message: HostMessage): boolean {
    if (message.type === 'attachments') { this.setAttachments(message.attachments); return true; }
    if (message.type === 'context') {
      // What the alert said was about another model (no vision, too small): it no longer applies.
      if (this.usage && this.usage.model !== message.context.model) this.hideAlert();
      this.usage = message.context;
      this.refreshMeter();
      return true;
    }
    return message.type === 'mentions';
  }

  restore(attachments: Attachment[] | undefined, usage: ContextUsage | null | undefined): void {
    this.hideAlert();
    this.setAttachments(attachments ?? []);
    this.usage = usage ?? null;
    this.refreshMeter();
  }

  /**
   * Whether `text` may go to `model` now. Undefined: it may not, and the reason (with what to
   * do) is shown; the caller puts the text back in the box.
   */
  prepareSend(text: string, model: string, choice: { dropOldest?: boolean } = {}): SendContext | undefined {
    this.hideAlert();
    const attachments = [...this.chips.attachments];
    const usage = this.usage && this.usage.model === model ? this.usage : null;
    if (usage && !usage.vision && attachments.some((a) => a.kind === 'image')) {
      this.showAlert(`${model} does not take images. Remove the image, or pick a model that reads images.`, [['Pick Model', () => this.options.pickModel()]]);
      return undefined;
    }
    const meter = this.meter.update(usage, text);
    if (meter?.level === 'over' && !choice.dropOldest) {
      this.showAlert(`${meter.detail} Choose what to do:`, [
        ['Drop Oldest Turns and Send', () => this.resendWith(text)],
        ['Pick a Model with a Larger Window', () => this.bridge.post({ type: 'pickLargerModel', tokens: meter.used })],
      ]);
      return undefined;
    }
    return { attachments, ...(attachments.length ? { attachmentIds: attachments.map((a) => a.id) } : {}), ...(choice.dropOldest ? { dropOldest: true } : {}) };
  }

  /** The send went out: the chips go with the message (the host confirms with an empty list). */
  sent(): void {
    this.chips.set([]);
    this.refreshMeter();
  }

  private resendWith(text: string): void {
    this.hideAlert();
    // The text the choice was about, even if the box was edited since: that is what the choice said.
    this.composer.restoreDraft('');
    this.options.resend(text, { dropOldest: true });
  }

  private setAttachments(list: Attachment[]): void {
    this.chips.set(list);
    this.refreshMeter();
  }

  private refreshMeter(): void {
    this.meter.update(this.usage ? { ...this.usage, attachmentTokens: this.chips.tokens() } : null, this.composer.text);
  }

  private attach(request: AttachRequest): void {
    this.hideAlert();
    this.bridge.request({ type: 'attach', ...request })
      .then((reply) => { if (reply.type === 'reply' && !reply.ok) this.showAlert(reply.error ?? 'That could not be attached.', []); })
      .catch((error: Error) => this.showAlert(error.message, []));
  }

  private onPaste(e: ClipboardEvent): void {
    const images = [...(e.clipboardData?.files ?? [])].filter((f) => f.type.startsWith('image/'));
    if (images.length === 0) return; // text pastes as text
    e.preventDefault();
    for (const file of images) this.sendImage(file);
  }

  private onDragOver(e: DragEvent): void {
    const types = [...(e.dataTransfer?.types ?? [])];
    if (types.includes('text/uri-list') || types.includes('Files')) {
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    }
  }

  /** Explorer items arrive as a uri-list (the host reads them); files from the desktop as File objects (images only). */
  private onDrop(e: DragEvent): void {
    const data = e.dataTransfer;
    if (!data) return;
    const uris = (data.getData('text/uri-list') || '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const files = [...data.files];
    if (uris.length === 0 && files.length === 0) return;
    e.preventDefault();
    if (uris.length) { this.attach({ source: 'uris', uris: uris.slice(0, 50) }); return; }
    const images = files.filter((f) => f.type.startsWith('image/'));
    if (images.length === 0) {
      this.showAlert('Only images can be dropped from outside VS Code. Drag files from the Explorer (hold Shift to drop them here), or use the attach button.', []);
      return;
    }
    for (const file of images) this.sendImage(file);
  }

  private sendImage(file: File): void {
    const reader = new FileReader();
    reader.addEventListener('load', () => {
      if (typeof reader.result === 'string') this.attach({ source: 'image', dataUrl: reader.result, name: file.name || 'pasted image' });
    });
    reader.addEventListener('error', () => this.showAlert(`Could not read ${file.name || 'the pasted image'}.`, []));
    reader.readAsDataURL(file);
  }

  private showAlert(text: string, actions: [string, () => void][]): void {
    const close = h('button', { type: 'button', class: 'icon-button composer-alert-close', 'aria-label': 'Dismiss', title: 'Dismiss' }, icon('close'));
    close.addEventListener('click', () => this.hideAlert());
    const buttons = actions.map(([label, run], i) => {
      const b = h('button', { type: 'button', class: i === 0 ? 'button' : 'button button-secondary' }, label);
      b.addEventListener('click', run);
      return b;
    });
    this.alert.replaceChildren(h('div', { class: 'composer-alert-text' }, icon('warning'), h('span', {}, text), close),
      ...(buttons.length ? [h('div', { class: 'composer-alert-actions' }, ...buttons)] : []));
    this.alert.hidden = false;
  }

  private hideAlert(): void {
    this.alert.hidden = true;
    this.alert.replaceChildren();
  }
}
