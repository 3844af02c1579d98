/**
 * Markdown → sanitised DOM for model output, which is untrusted
 * (docs/architecture.md#untrusted-model-output-in-the-webview).
 *
 * marked (~50 KB min) rather than markdown-it (~100 KB): it is what VS Code's own chat view uses,
 * and its lexer hands back top-level block tokens with their exact `raw` source, which is the unit
 * streaming.ts keeps or re-renders.
 *
 * Three walls, each enough on its own for the cases it covers:
 * 1. The renderer never emits raw HTML: `html` tokens come out as escaped text, images as a text
 *    placeholder, links only for http(s)/mailto (anything else becomes plain text with the URL in
 *    a tooltip).
 * 2. DOMPurify with an allow-list of the tags and attributes this renderer produces, and a URI
 *    regexp that only lets absolute http(s)/mailto through.
 * 3. The webview CSP (src/shared/html.ts): no inline script, no remote images.
 * Links keep their href for hover and focus, but a click never navigates: messages.ts turns it
 * into an `openLink` message and the host asks the user.
 */
import DOMPurify from 'dompurify';
import { Marked, type Token, type Tokens } from 'marked';
import { h, icon, iconButton } from './dom';
import { escapeHtml, highlightToHtml, isKnownLanguage, normaliseLanguage, registerSomeGrammars } from './highlight';
import { safeLinkUrl } from '../shared/links';
import type { MessageOf, WebviewMessage } from '../shared/protocol';

export { safeLinkUrl };

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    // Raw HTML in model output is shown, not interpreted.
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    // No image is ever loaded: a placeholder with the alt text and where it pointed.
    image({ href, text }: Tokens.Image): string {
      const alt = text.trim() || 'image';
      return `<span class="image-placeholder" title="${escapeHtml(`Image not loaded: ${href}`)}">`
        + `<span class="image-alt">${escapeHtml(alt)}</span> <span class="image-url">${escapeHtml(href)}</span></span>`;
    },
    link({ href, title, tokens }: Tokens.Link): string {
      const inner = this.parser.parseInline(tokens);
      const safe = safeLinkUrl(href);
      if (!safe) return `<span class="blocked-link" title="${escapeHtml(`Link not opened (unsupported address): ${href}`)}">${inner}</span>`;
      const tip = title ? `${title} — ${safe}` : safe;
      return `<a href="${escapeHtml(safe)}" title="${escapeHtml(tip)}">${inner}</a>`;
    },
    code({ text, lang }: Tokens.Code): string {
      const language = normaliseLanguage(lang);
      const known = isKnownLanguage(language);
      const cls = known ? ` language-${language}` : '';
      const code = text.replace(/\n$/, '');
      // Plain now, highlighted by highlightCodeBlock in a later step (a restored answer, deferred.ts).
      const body = known && plainCode ? escapeHtml(code) : highlightToHtml(code, language);
      return `<div class="code-block${known && plainCode ? ` ${UNHIGHLIGHTED}` : ''}" data-lang="${escapeHtml(language)}"><pre><code class="hljs${cls}">${body}</code></pre></div>`;
    },
    // GFM task lists: a glyph instead of an <input>, which the allow-list does not have.
    checkbox({ checked }: Tokens.Checkbox): string {
      return `<span class="task-box" title="${checked ? 'done' : 'not done'}">${checked ? '☑' : '☐'}</span> `;
    },
  },
});

/** Set while renderTokens renders with `plainCode`: marked's renderer has no per-call options. */
let plainCode = false;
/** A code block of a known language rendered plain, waiting for highlightCodeBlock. */
export const UNHIGHLIGHTED = 'code-unhighlighted';

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 's', 'code', 'pre',
  'blockquote', 'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'div',
];
const PURIFY_CONFIG = {
  ALLOWED_TAGS,
  ALLOWED_ATTR: ['href', 'title', 'class', 'start', 'align', 'data-lang'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  // Only absolute http(s) and mailto survive as a URI attribute value. DOMPurify applies this
  // regexp to every attribute not listed as URI-safe, hence the list for our plain ones.
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  ADD_URI_SAFE_ATTR: ['data-lang', 'start', 'align'],
  RETURN_DOM_FRAGMENT: true as const,
};

type Purifier = ReturnType<typeof DOMPurify>;
let purifier: { win: Window; instance: Purifier } | undefined;

/** One DOMPurify per window: tests install a fresh jsdom window per suite. */
function getPurifier(): Purifier {
  if (purifier?.win !== window) purifier = { win: window, instance: DOMPurify(window) };
  return purifier.instance;
}

/** Top-level block tokens of `source`; each token's `raw` is its exact source text. */
export function lexBlocks(source: string): Token[] {
  return marked.lexer(source);
}

export interface RenderOptions {
  /** The block is still streaming: code blocks get no actions yet (they would be rebuilt under the pointer). */
  open?: boolean;
  /**
   * Code blocks of a known language come out as plain text, marked UNHIGHLIGHTED, for
   * highlightCodeBlock to colour in a step of its own: a grammar's first use costs more than
   * the rest of a long answer's block (deferred.ts).
   */
  plainCode?: boolean;
}

/** Renders block tokens to a sanitised fragment with code-block toolbars attached. */
export function renderTokens(tokens: Token[], options: RenderOptions = {}): DocumentFragment {
  plainCode = options.plainCode === true;
  let html: string;
  try {
    html = marked.parser(tokens);
  } finally {
    plainCode = false;
  }
  const fragment = sanitise(html);
  finishLinks(fragment);
  for (const block of Array.from(fragment.querySelectorAll<HTMLElement>('div.code-block'))) decorateCodeBlock(block, options.open === true);
  return fragment;
}

/**
 * DOMPurify parses into a scratch document of its own; the result is adopted so every node
 * touched next (and every selector query) belongs to the page's document.
 */
function sanitise(html: string): DocumentFragment {
  return document.adoptNode(getPurifier().sanitize(html, PURIFY_CONFIG) as DocumentFragment);
}

/**
 * Colours a code block rendered with `plainCode`: its text, highlighted and sanitised like the
 * rest of a message, in place of the plain text. The text itself does not change, so what the
 * copy, insert and apply buttons take (app.ts) is the same before and after.
 */
export function highlightCodeBlock(block: HTMLElement): void {
  if (!block.classList.contains(UNHIGHLIGHTED)) return;
  block.classList.remove(UNHIGHLIGHTED);
  const code = block.querySelector('pre > code');
  if (!code) return;
  code.replaceChildren(sanitise(highlightToHtml(code.textContent ?? '', block.getAttribute('data-lang') ?? '')));
}

/**
 * What a first render costs beyond the work itself, as separate steps for tasks of their own (the
 * panel runs them while it waits for the host's state, deferred.ts): V8 compiling marked's and
 * DOMPurify's code on first call, DOMPurify setting up, highlight.js building its grammars, and
 * V8's regexps. A regexp is interpreted on its first executions and compiled to native code on a
 * later one, and marked's block rules are large (the paragraph rule holds the setext-heading
 * one), so the sample has every kind of block a model writes, more than once, and is lexed
 * twice: the real content then meets compiled rules. Grammars are compiled when first used,
 * each in a step of its own (deferred.ts).
 */
const WARM_UP_SAMPLE = [
  '## A heading', 'Setext heading\n===', 'Another one\n---',
  'Some *text* with `code`, **bold**, ~~gone~~ and [a link](https://example.com).\nA second line, <b>html</b> & an image ![x](https://example.com/x.png).',
  '- one\n- two\n  - nested', '1. first\n2. second', '- [ ] task\n- [x] done',
  '> quote\n> more', '| a | b |\n|---|:-:|\n| 1 | 2 |', '```\nplain\n```', '```ts\nconst a = 1;\n```', '    indented code', '***',
  'Text with a reference [link][1].', '[1]: https://example.com',
].join('\n\n');

/** Steps of the warm-up, in order; a step returning false runs again in the next task. */
export function markdownWarmUpSteps(): (() => boolean)[] {
  let tokens: Token[] = [];
  let html = '';
  return [
    () => { lexBlocks(WARM_UP_SAMPLE); return true; },
    () => { tokens = lexBlocks(WARM_UP_SAMPLE); return true; },
    () => registerSomeGrammars(GRAMMARS_PER_STEP),
    () => { plainCode = true; try { html = marked.parser(tokens); } finally { plainCode = false; } return true; },
    () => { finishLinks(sanitise(html)); return true; },
  ];
}
const GRAMMARS_PER_STEP = 6;

/**
 * Blocks in a `.markdown` go in groups of this many (`div.md-group`): a frame's layout walks the
 * children of the element whose content changed, and an answer's element held every block, so
 * the layout after each streamed chunk grew with the answer (0.48 ms a frame in the first tenth
 * of the bench's 20,000-token answer, 0.85 ms in the last). With groups, an unchanged group's
 * layout is reused whole, and the frames of the last tenth cost what those of the first did.
 */
const GROUP_BLOCKS = 16;

/** Puts a rendered block into the last group of `markdown` before `before` (the end: null), or a new group when that one is full. */
export function keepBlock(markdown: HTMLElement, block: HTMLElement, before: Element | null): void {
  const last = before ? before.previousElementSibling : markdown.lastElementChild;
  if (last?.classList.contains('md-group') && last.childElementCount < GROUP_BLOCKS) last.append(block);
  else markdown.insertBefore(h('div', { class: 'md-group' }, block), before);
}

/** A whole finished text, e.g. a restored message. */
export function renderMarkdown(source: string): DocumentFragment {
  return renderTokens(lexBlocks(source));
}

/** Second wall: an anchor that lost its href in the sanitiser becomes plain text. */
function finishLinks(root: DocumentFragment): void {
  for (const a of Array.from(root.querySelectorAll('a'))) {
    if (safeLinkUrl(a.getAttribute('href')) === null) {
      const span = h('span', { class: 'blocked-link', title: 'Link not opened (unsupported address)' });
      span.append(...Array.from(a.childNodes));
      a.replaceWith(span);
    }
  }
}

/** The header of a code block: language, then copy / insert at cursor / apply. */
function decorateCodeBlock(block: HTMLElement, open: boolean): void {
  const language = block.getAttribute('data-lang') ?? '';
  const header = h('div', { class: 'code-block-header' }, h('span', { class: 'code-block-language' }, language || 'text'));
  if (open) {
    block.classList.add('code-block-open');
  } else {
    const what = language ? `${language} code` : 'code';
    header.append(h('div', { class: 'code-block-actions', role: 'group', 'aria-label': `Actions for ${what}` },
      iconButton('copy', `Copy ${what}`, { 'data-code-action': 'copy' }),
      iconButton('insert', `Insert ${what} at cursor`, { 'data-code-action': 'insert' }),
      iconButton('diff', `Apply ${what} to the editor (shows a diff)`, { 'data-code-action': 'apply' })));
  }
  block.prepend(header);
}

const codeMessages = { copy: 'copyCode', insert: 'insertCode', apply: 'applyCode' } as const;

/**
 * The message a click on one of a code block's buttons (decorateCodeBlock) posts to the host,
 * with the code as written; undefined for a click anywhere else. The copy button flashes.
 */
export function codeBlockAction(target: Element): MessageOf<WebviewMessage, (typeof codeMessages)[keyof typeof codeMessages]> | undefined {
  const button = target.closest<HTMLElement>('[data-code-action]');
  const type = codeMessages[button?.getAttribute('data-code-action') as keyof typeof codeMessages];
  if (!button || !type) return undefined;
  const block = button.closest('.code-block');
  if (type === 'copyCode') flashCopied(button);
  return { type, code: block?.querySelector('pre code')?.textContent ?? '', language: block?.getAttribute('data-lang') ?? '' };
}

/** Swaps a copy button's glyph to a check for a moment, so a keyboard user sees it worked. */
function flashCopied(button: HTMLElement): void {
  const original = button.firstElementChild;
  if (!original) return;
  const check = icon('check');
  original.replaceWith(check);
  setTimeout(() => check.replaceWith(original), 1200);
}
