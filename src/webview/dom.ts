/**
 * A tiny element builder. The UI's own chrome is built with DOM APIs only: text always goes in
 * as text nodes, never through innerHTML, so nothing but the sanitised markdown path
 * (markdown.ts) ever turns a string into markup. `document` is read at call time, not at import,
 * so tests can install a jsdom window around each suite.
 */
import { ICON_PATHS, type IconName } from './icons.generated';

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    // Only our own static attribute names reach here; refuse event handlers outright so a
    // future caller cannot wire `onclick` through a string.
    if (/^on/i.test(name)) throw new Error(`h(): event handler attribute ${name} is not allowed; use addEventListener`);
    el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A codicon as inline SVG, hidden from screen readers: the button around it carries the label. */
export function icon(name: IconName, className = ''): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', `icon icon-${name}${className ? ` ${className}` : ''}`);
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('fill', 'currentColor');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const p of ICON_PATHS[name]) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', p.d);
    if ('evenodd' in p && p.evenodd) {
      path.setAttribute('fill-rule', 'evenodd');
      path.setAttribute('clip-rule', 'evenodd');
    }
    svg.appendChild(path);
  }
  return svg;
}

/** An icon-only button: the visible glyph plus an aria-label and a tooltip with the same text. */
export function iconButton(name: IconName, label: string, attrs: Attrs = {}): HTMLButtonElement {
  return h('button', { type: 'button', class: 'icon-button', 'aria-label': label, title: label, ...attrs }, icon(name));
}
