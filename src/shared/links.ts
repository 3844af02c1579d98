/**
 * Which links from model output may be opened. Imports nothing, so the extension host can run
 * the same check on an `openLink` message without pulling the webview bundle in.
 */

/** Schemes a link in model output may have; everything else (javascript:, command:, vscode:, data:, file:) is text. */
export const LINK_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/** The absolute URL if `href` is a link we allow, else null. */
export function safeLinkUrl(href: string | null | undefined): string | null {
  if (!href) return null;
  let url: URL;
  try {
    // No base: relative URLs would resolve against the webview's own origin. The URL parser
    // strips tabs/newlines and lowercases the scheme, so `jav\tascript:` is caught too.
    url = new URL(href.trim());
  } catch {
    return null;
  }
  return LINK_SCHEMES.has(url.protocol) ? url.href : null;
}
