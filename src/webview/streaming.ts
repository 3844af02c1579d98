/**
 * Renders a streaming answer the way VS Code's chat view does: finished markdown blocks are
 * rendered once and kept, only the last (open) block is re-rendered, and DOM work happens at
 * most once per animation frame however many deltas arrived. Each frame lexes only the text
 * after the last kept block, so the cost of a chunk does not grow with the answer's length.
 *
 * When is a block finished? When the lexer has already started another block after it. Markdown
 * only lets a later line change the block right before it (a setext underline, a table's
 * delimiter row, another list item after a blank line), and that block is the open one, so a kept
 * block never needs re-rendering. The exception is a reference-style definition (`[1]: https://…`),
 * which applies to links before it: a block kept before it arrived shows the link as text, or with
 * the URL cut where the chunk ended. An answer holding one is rendered again, whole, at finish().
 */
import type { Token } from 'marked';
import { h } from './dom';
import { animationFrames, type FrameScheduler } from './frames';
import { keepBlock, lexBlocks, renderTokens } from './markdown';

export interface StreamStats {
  /** Frames that touched the DOM. */
  frames: number;
  /** Characters lexed by the last frame: the open block plus what arrived since. */
  lastLexedChars: number;
  /** Blocks kept so far. */
  keptBlocks: number;
}

/** A line that may be a link reference definition (CommonMark 4.7); a false match only costs a re-render. */
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]\n]+\]:/m;

export class StreamingMarkdown {
  /** The element to put into the message; owns kept blocks followed by the open-block slot. */
  readonly element: HTMLElement;
  readonly stats: StreamStats = { frames: 0, lastLexedChars: 0, keptBlocks: 0 };
  private readonly openSlot: HTMLElement;
  private source = '';
  /** Length of `source` already rendered into kept blocks. */
  private kept = 0;
  private pendingCarriageReturn = false;
  private frameRequested = false;
  private finished = false;

  constructor(
    private readonly scheduler: FrameScheduler = animationFrames,
    /** Called after each frame that changed the DOM. */
    private readonly onRendered: () => void = () => {},
  ) {
    this.openSlot = h('div', { class: 'md-block md-open' });
    this.element = h('div', { class: 'markdown' }, this.openSlot);
  }

  get text(): string {
    return this.source;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  append(delta: string): void {
    if (this.finished || delta === '') return;
    this.source += this.normaliseNewlines(delta);
    if (!this.frameRequested) {
      this.frameRequested = true;
      this.scheduler.request(() => {
        this.frameRequested = false;
        if (!this.finished) this.render(false);
      });
    }
  }

  /** The answer is complete (or stopped): render what is left as kept blocks, with code actions. */
  finish(): void {
    if (this.finished) return;
    if (this.pendingCarriageReturn) this.source += '\n';
    this.pendingCarriageReturn = false;
    this.finished = true;
    if (this.kept > 0 && REFERENCE_DEFINITION.test(this.source)) {
      this.element.replaceChildren(this.openSlot);
      this.kept = 0;
    }
    this.render(true);
    this.openSlot.remove();
  }

  /**
   * marked turns \r\n and \r into \n before lexing, and `kept` counts positions in what the lexer
   * saw, so store the text already normalised. A \r at the end of a delta may be half of a \r\n
   * split across two deltas: hold it until the next one shows which.
   */
  private normaliseNewlines(delta: string): string {
    let text = this.pendingCarriageReturn ? `\r${delta}` : delta;
    this.pendingCarriageReturn = text.endsWith('\r');
    if (this.pendingCarriageReturn) text = text.slice(0, -1);
    return text.replace(/\r\n?/g, '\n');
  }

  private render(final: boolean): void {
    const pending = this.source.slice(this.kept);
    const tokens = lexBlocks(pending);
    this.stats.lastLexedChars = pending.length;
    // Everything before the last real block is finished; at the end, everything is.
    let open = tokens.length;
    if (!final) {
      for (let i = tokens.length - 1; i >= 0; i--) {
        if (tokens[i]!.type !== 'space') { open = i; break; }
      }
    }
    let consumed = 0;
    for (let i = 0; i < open; i++) {
      const token = tokens[i]!;
      consumed += token.raw.length;
      if (token.type === 'space') continue;
      keepBlock(this.element, this.block([token], false), this.openSlot);
      this.stats.keptBlocks++;
    }
    this.kept += consumed;
    const rest = tokens.slice(open);
    if (rest.some((t) => t.type !== 'space')) this.openSlot.replaceChildren(renderTokens(rest, { open: true }));
    else if (this.openSlot.hasChildNodes()) this.openSlot.replaceChildren();
    this.stats.frames++;
    this.onRendered();
  }

  private block(tokens: Token[], open: boolean): HTMLElement {
    const el = h('div', { class: 'md-block' });
    el.append(renderTokens(tokens, { open }));
    return el;
  }
}

/** A finished text (a restored message) rendered with the same block structure. */
export function renderFinishedMarkdown(source: string): HTMLElement {
  const stream = new StreamingMarkdown({ request: () => {}, read: () => {}, spent: () => 0 });
  stream.append(source);
  stream.finish();
  return stream.element;
}
