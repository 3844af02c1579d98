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
import { escapeHtml, highlightToHtml, isKnownLanguage, normaliseLanguage } from './highlight';
import { safeLinkUrl } from '../shared/links';

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
      const cls = isKnownLanguage(language) ? ` language-${language}` : '';
      return `<div class="code-block" data-lang="${escapeHtml(language)}"><pre><code class="hljs${cls}">${highlightToHtml(text.replace(/\n$/, ''), language)}</code></pre></div>`;
    },
    // GFM task lists: a glyph instead of an <input>, which the allow-list does not have.
    checkbox({ checked }: Tokens.Checkbox): string {
      return `<span class="task-box" title="${checked ? 'done' : 'not done'}">${checked ? '☑' : '☐'}</span> `;
    },
  },
});

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
}

/** Renders block tokens to a sanitised fragment with code-block toolbars attached. */
export function renderTokens(tokens: Token[], options: RenderOptions = {}): DocumentFragment {
  const html = marked.parser(tokens);
  // DOMPurify parses into a scratch document of its own; adopt the result so every node we
  // touch next (and every selector query) belongs to the page's document.
  const fragment = document.adoptNode(getPurifier().sanitize(html, PURIFY_CONFIG) as DocumentFragment);
  finishLinks(fragment);
  for (const block of Array.from(fragment.querySelectorAll<HTMLElement>('div.code-block'))) decorateCodeBlock(block, options.open === true);
  return fragment;
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

/** Swaps a copy button's glyph to a check for a moment, so a keyboard user sees it worked. */
export function flashCopied(button: HTMLElement): void {
  const original = button.firstElementChild;
  if (!original) return;
  const check = icon('check');
  original.replaceWith(check);
  setTimeout(() => check.replaceWith(original), 1200);
}
