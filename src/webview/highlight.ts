/**
 * Syntax highlighting for code blocks: highlight.js core with the languages people paste most
 * into a coding chat. Core + these ~22 grammars minify to ~95 KB; the full build is ~900 KB and
 * shiki (TextMate grammars + a regex engine + themes) several MB — neither fits a ≤1 MB VSIX.
 * Colours come from media/chat.css, mapped onto VS Code theme variables, so no highlight.js
 * theme ships. No auto-detection: it runs every grammar on every frame of a streaming block;
 * an unlabelled fence is shown plain, as VS Code's own chat does.
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

const LANGUAGES = {
  bash, c, cpp, csharp, css, diff, dockerfile, go, ini, java, javascript, json, markdown, php,
  python, ruby, rust, shell, sql, typescript, xml, yaml,
};

let registered = false;

function ensureRegistered(): void {
  if (registered) return;
  for (const [name, grammar] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, grammar);
  // Fence labels models use that the grammars do not alias themselves.
  hljs.registerAliases(['tsx', 'mts', 'cts'], { languageName: 'typescript' });
  hljs.registerAliases(['jsx', 'mjs', 'cjs'], { languageName: 'javascript' });
  hljs.registerAliases(['toml', 'properties'], { languageName: 'ini' });
  hljs.registerAliases(['vue', 'svelte'], { languageName: 'xml' });
  registered = true;
}

/** Fence labels are model output: keep them to what a language name looks like. */
export function normaliseLanguage(info: string | undefined): string {
  const first = (info ?? '').trim().split(/\s+/)[0] ?? '';
  return /^[\w#+.-]{1,32}$/.test(first) ? first.toLowerCase() : '';
}

export function isKnownLanguage(language: string): boolean {
  ensureRegistered();
  return language !== '' && hljs.getLanguage(language) !== undefined;
}

/**
 * Highlighted HTML for `code`: highlight.js escapes the text and adds only `<span class="hljs-…">`,
 * and the result still goes through the sanitiser with the rest of the message.
 */
export function highlightToHtml(code: string, language: string): string {
  if (!isKnownLanguage(language)) return escapeHtml(code);
  try {
    return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  } catch {
    // A grammar bug must cost the colours, not the answer.
    return escapeHtml(code);
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
