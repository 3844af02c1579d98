import assert from 'node:assert/strict';
import { buildCsp, buildWebviewHtml, createNonce } from '../../../src/shared/html';

describe('webview HTML', () => {
  const base = {
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/chat.css',
  };

  it('creates unguessable, distinct nonces', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => createNonce()));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9_-]{32}$/);
  });

  it('has a strict CSP: nothing by default, scripts by nonce, no remote images, no inline styles', () => {
    const nonce = createNonce();
    const csp = buildCsp(base.cspSource, nonce);
    const directives = new Map(csp.split('; ').map((d) => { const [name, ...values] = d.split(' '); return [name, values.join(' ')]; }));
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('script-src'), `'nonce-${nonce}'`);
    assert.equal(directives.get('img-src'), `${base.cspSource} data:`, 'data: for the host-made thumbnails of attached images, nothing remote');
    assert.equal(directives.get('style-src'), base.cspSource);
    assert.equal(directives.get('font-src'), base.cspSource);
    assert.doesNotMatch(csp, /https:(?!\/\/file)|unsafe-inline|unsafe-eval|\*/);
    // data: only where the thumbnails need it: never for scripts, styles or fonts.
    assert.deepEqual([...directives].filter(([, v]) => v.includes('data:')).map(([k]) => k), ['img-src']);
  });

  it('loads the script with the nonce and the stylesheet from the given URIs', () => {
    const nonce = createNonce();
    const html = buildWebviewHtml({ ...base, nonce });
    assert.match(html, new RegExp(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`));
    assert.ok(html.includes(`<script nonce="${nonce}" src="${base.scriptUri}"></script>`));
    assert.ok(html.includes(`<link rel="stylesheet" href="${base.styleUri}">`));
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'one script, no inline code');
    assert.doesNotMatch(html, /style="/);
  });

  it('escapes URIs and title into attributes', () => {
    const html = buildWebviewHtml({ ...base, nonce: createNonce(), scriptUri: 'https://x/"><script>alert(1)</script>', title: '<b>Chat</b>' });
    assert.doesNotMatch(html, /"><script>alert/);
    assert.match(html, /<title>&lt;b&gt;Chat&lt;\/b&gt;<\/title>/);
  });

  it('refuses a weak nonce or a cspSource that could inject directives', () => {
    assert.throws(() => buildWebviewHtml({ ...base, nonce: 'abc' }), /nonce/);
    assert.throws(() => buildWebviewHtml({ ...base, nonce: createNonce(), cspSource: "https://x; script-src 'unsafe-inline'" }), /cspSource/);
    assert.throws(() => buildWebviewHtml({ ...base, nonce: createNonce(), cspSource: "https://x 'unsafe-inline'" }), /cspSource/);
    // What VS Code in a browser (code-server, vscode.dev) passes.
    assert.match(buildCsp("'self' https://*.vscode-cdn.net", createNonce()), /img-src 'self' https:\/\/\*\.vscode-cdn\.net data:;/);
    assert.doesNotThrow(() => buildWebviewHtml({ ...base, nonce: createNonce(), cspSource: "'self' https://*.vscode-cdn.net" }));
  });
});
