/**
 * The messages of the thread that are in the page (docs/architecture.md#long-conversations). A
 * conversation scrolled back through thousands of messages would otherwise make every layout and
 * style pass walk all of them; the window keeps at most MAX_ATTACHED in the list, a contiguous
 * run of the conversation, and holds the others' elements out of the page (built, markdown and
 * all), so putting them back costs an insertion. Which run is in the page follows the reader:
 * scrolling near the top or bottom of it (olderPages.ts) moves it a chunk that way, and what goes
 * out is at the other end, far from the screen. The reader's place is kept by the browser's scroll
 * anchoring, for content going in or out above as for content below, so nothing is measured.
 *
 * A message being streamed into is never taken out: it stays in the page after the run even when
 * the run ends before it (the reader scrolled far up), and the run comes back in before it.
 */

/** Messages in the page at most (the streaming answer aside). */
export const MAX_ATTACHED = 150;
/** Messages put back per step when the reader nears an end of the run. */
export const SHOW_CHUNK = 50;

export class MessageWindow {
  /** Every element of the thread, oldest first. */
  private entries: HTMLElement[] = [];
  /** The run in the page: entries[lo, hi). */
  private lo = 0;
  private hi = 0;

  constructor(
    private readonly list: HTMLElement,
    /** Must stay in the page (an answer being streamed into). */
    private readonly pinned: (element: HTMLElement) => boolean,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** Messages before the run, out of the page. */
  get hiddenAbove(): number {
    return this.lo;
  }

  /** Messages after the run, out of the page (a pinned one may still be in it). */
  get hiddenBelow(): number {
    return this.entries.length - this.hi;
  }

  /** The elements in the page, in order (for tests and checks; walks the list). */
  get attached(): HTMLElement[] {
    return Array.from(this.list.children) as HTMLElement[];
  }

  clear(): void {
    this.entries = [];
    this.lo = this.hi = 0;
    this.list.replaceChildren();
  }

  /** The conversation's newest elements: the run is them. */
  reset(elements: HTMLElement[]): void {
    this.clear();
    this.entries = elements;
    this.lo = Math.max(0, elements.length - MAX_ATTACHED);
    this.hi = elements.length;
    this.list.append(fragment(this.list, elements.slice(this.lo)));
  }

  /**
   * A new message at the end. If the end of the conversation is out of the page (the reader
   * scrolled far up), the run jumps to it first: a new message is shown where it is, at the end.
   */
  append(element: HTMLElement): void {
    if (this.hi < this.entries.length) this.showNewest();
    this.entries.push(element);
    this.hi = this.entries.length;
    this.list.append(element);
    this.trimTop();
  }

  /**
   * Older elements before the oldest one. `toTop`: the reader is at the top of the run (an older
   * page came in), so they go in and the far end (below) goes out; otherwise (a restore's earlier
   * messages going in behind the newest ones) they go in only while there is room, the rest wait
   * above, out of the page, and the newest stay. `trim` false: nothing goes out (see showEarlier).
   */
  prepend(elements: HTMLElement[], toTop: boolean, trim = true): void {
    if (elements.length === 0) return;
    const room = toTop && this.lo === 0 ? elements.length : Math.max(0, MAX_ATTACHED - (this.hi - this.lo));
    const shown = this.lo === 0 ? Math.min(room, elements.length) : 0;
    this.entries = [...elements, ...this.entries];
    this.hi += elements.length;
    this.lo += elements.length - shown;
    if (shown > 0) this.list.prepend(fragment(this.list, elements.slice(elements.length - shown)));
    if (toTop && trim) this.trimBottom();
  }

  /**
   * Puts the chunk before the run back in (the reader neared its top); the far end goes out,
   * unless `trim` is false (the run is short enough on screen to be near both of its ends: moving
   * it would bring the reader near the other end, and back).
   */
  showEarlier(trim = true): boolean {
    if (this.lo === 0) return false;
    const from = Math.max(0, this.lo - SHOW_CHUNK);
    this.list.prepend(fragment(this.list, this.entries.slice(from, this.lo)));
    this.lo = from;
    if (trim) this.trimBottom();
    return true;
  }

  /** Puts the chunk after the run back in (the reader neared its bottom); the far top goes out unless `trim` is false. */
  showLater(trim = true): boolean {
    if (this.hi >= this.entries.length) return false;
    const to = Math.min(this.entries.length, this.hi + SHOW_CHUNK);
    const chunk = this.entries.slice(this.hi, to);
    // Before a pinned element still in the page further down (the streaming answer), if any.
    const after = this.entries.slice(to).find((e) => e.parentNode === this.list) ?? null;
    this.list.insertBefore(fragment(this.list, chunk), after);
    this.hi = to;
    if (trim) this.trimTop();
    return true;
  }

  remove(element: HTMLElement): void {
    const index = this.entries.indexOf(element);
    element.remove();
    if (index < 0) return;
    this.entries.splice(index, 1);
    if (index < this.lo) this.lo--;
    if (index < this.hi) this.hi--;
  }

  /** The run becomes the newest messages (a new one goes in at the end). */
  private showNewest(): void {
    const from = Math.max(0, this.entries.length - SHOW_CHUNK * 2);
    // Everything in the page is in the run or pinned (at the end), so all of it is replaced.
    this.list.replaceChildren(fragment(this.list, this.entries.slice(from)));
    this.lo = from;
    this.hi = this.entries.length;
  }

  /** Takes the bottom of the run out down to MAX_ATTACHED, and any unpinned element after the run. */
  private trimBottom(): void {
    for (let i = this.hi; i < this.entries.length; i++) {
      const element = this.entries[i]!;
      if (element.parentNode === this.list && !this.pinned(element)) element.remove();
    }
    while (this.hi - this.lo > MAX_ATTACHED) {
      const element = this.entries[--this.hi]!;
      if (!this.pinned(element)) element.remove();
    }
  }

  /** Takes the top of the run out down to MAX_ATTACHED (above the reader: anchoring keeps the place). */
  private trimTop(): void {
    while (this.hi - this.lo > MAX_ATTACHED && !this.pinned(this.entries[this.lo]!)) this.entries[this.lo++]!.remove();
  }
}

function fragment(list: HTMLElement, elements: HTMLElement[]): DocumentFragment {
  const out = list.ownerDocument.createDocumentFragment();
  out.append(...elements);
  return out;
}
