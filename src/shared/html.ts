/**
 * Builds the chat webview's HTML. Runs in the extension host, not the browser, and sits in
 * src/shared beside the messages: it imports nothing, so the host can use it without pulling the
 * webview's libraries (marked, DOMPurify, highlight.js) into its bundle.
 *
 * The CSP follows vscode-extension-samples/webview-sample: nothing by default, scripts only with
 * the per-load nonce, styles, fonts and images only from the extension's own resources
 * (`cspSource`). No `https:` in img-src: model output must not be able to make the webview fetch
 * a remote image (a tracking pixel, or a URL carrying data the model was tricked into leaking);
 * the renderer shows a text placeholder instead, and the CSP is the second wall. `data:` is there
 * for the thumbnails of attached images, which the host made from bytes it checked; the markdown
 * renderer never emits an <img>, so model output cannot use it.
 */

export interface WebviewHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** `webview.asWebviewUri(dist/webview.js)` as a string. */
  scriptUri: string;
  /** `webview.asWebviewUri(media/chat.css)` as a string. */
  styleUri: string;
  /** From `createNonce()`: fresh on every HTML build. */
  nonce: string;
  /** Document title, read by screen readers. */
  title?: string;
  /** The root element's class, which the bundle looks for (the usage dashboard has its own). */
  appClass?: 'chat-app' | 'usage-app';
}

/** A nonce for one HTML build: 24 random bytes, base64url (CSP nonces must be unguessable). */
export function createNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The Content-Security-Policy for the chat webview. Exported so tests and the host can log it. */
export function buildCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function buildWebviewHtml(options: WebviewHtmlOptions): string {
  const { cspSource, scriptUri, styleUri, nonce } = options;
  // These values end up inside the CSP and attributes; refuse anything that could break out of
  // them rather than escaping it into a policy that no longer means what it says.
  if (!/^[A-Za-z0-9_+/=-]{16,}$/.test(nonce)) throw new Error('buildWebviewHtml: nonce must be at least 16 base64 characters');
  // VS Code in a browser gives `'self' https://*.vscode-cdn.net`: 'self' is the one quoted keyword allowed.
  if (!/^(?:'self'|[^\s;'"<>]+)(?: (?:'self'|[^\s;'"<>]+))*$/.test(cspSource)) throw new Error('buildWebviewHtml: cspSource must be one or more source expressions without ; or stray quotes');
  const title = escapeHtml(options.title ?? 'AnyModel Chat');
  const appClass = options.appClass ?? 'chat-app';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeHtml(buildCsp(cspSource, nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeHtml(styleUri)}">
  <title>${title}</title>
</head>
<body>
  <div id="app" class="${appClass}" aria-busy="true"></div>
  <noscript>${title} needs scripts enabled in the webview.</noscript>
  <script nonce="${escapeHtml(nonce)}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>
`;
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
