/**
 * Attachment chips: the composer's row (each removable) and the read-only row under a sent
 * message. A chip shows the kind, the name, the token estimate and, when the host cut the
 * content, its note; an image shows its thumbnail, from the `data:` URL the host made (the only
 * kind of image the CSP lets in). Pure DOM; context.ts decides when.
 */
import type { Attachment } from '../shared/protocol';
import { compact } from '../shared/meter';
import { h, icon } from './dom';
import type { IconName } from './icons.generated';

const KIND_ICON: Record<Attachment['kind'], IconName> = { file: 'file-code', selection: 'list-selection', problems: 'warning', image: 'file-media' };
const KIND_LABEL: Record<Attachment['kind'], string> = { file: 'File', selection: 'Selection', problems: 'Problems', image: 'Image' };

/** One chip; `onRemove` adds the remove button. */
export function chip(a: Attachment, onRemove?: (id: string) => void): HTMLElement {
  const tokens = `~${compact(a.tokens)} tokens`;
  const label = `${KIND_LABEL[a.kind]} ${a.name}, ${tokens}${a.note ? `, ${a.note}` : ''}`;
  const thumb = a.kind === 'image' && a.dataUrl?.startsWith('data:image/') ? h('img', { class: 'chip-thumb', src: a.dataUrl, alt: '' }) : icon(KIND_ICON[a.kind], 'chip-icon');
  const el = h('span', { class: `chip chip-${a.kind}${a.note ? ' chip-cut' : ''}`, 'data-attachment-id': a.id, title: label, role: 'listitem', 'aria-label': label },
    thumb,
    h('span', { class: 'chip-name' }, a.name),
    h('span', { class: 'chip-tokens' }, tokens),
    a.note ? h('span', { class: 'chip-note' }, icon('warning'), a.note) : null);
  if (onRemove) {
    const remove = h('button', { type: 'button', class: 'icon-button chip-remove', 'aria-label': `Remove ${a.name}`, title: `Remove ${a.name}` }, icon('close'));
    remove.addEventListener('click', () => onRemove(a.id));
    el.append(remove);
  }
  return el;
}

/** The chips under a message in the thread (what was sent with it). */
export function attachmentList(attachments: readonly Attachment[] | undefined): HTMLElement | null {
  if (!attachments?.length) return null;
  return h('div', { class: 'message-attachments', role: 'list', 'aria-label': 'Attached' }, ...attachments.map((a) => chip(a)));
}

/** The composer's row: the chips waiting to be sent. Hidden while empty. */
export class ChipRow {
  readonly element: HTMLElement;
  private list: Attachment[] = [];

  constructor(private readonly onRemove: (id: string) => void) {
    this.element = h('div', { class: 'composer-chips', role: 'list', 'aria-label': 'Attachments for the next message', hidden: true });
  }

  get attachments(): readonly Attachment[] {
    return this.list;
  }

  set(attachments: readonly Attachment[]): void {
    this.list = [...attachments];
    this.element.replaceChildren(...this.list.map((a) => chip(a, (id) => this.remove(id))));
    this.element.hidden = this.list.length === 0;
  }

  tokens(): number {
    return this.list.reduce((sum, a) => sum + a.tokens, 0);
  }

  /** Gone from the row at once; the host confirms with its own list. */
  private remove(id: string): void {
    this.set(this.list.filter((a) => a.id !== id));
    this.onRemove(id);
  }
}
