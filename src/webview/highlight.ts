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

/** Grammars registered so far, in LANGUAGES' order (registerSomeGrammars). */
let registeredCount = 0;
let registered = false;

function ensureRegistered(): void {
  if (registered) return;
  while (!registerSomeGrammars(Infinity)) { /* all of them */ }
}

/**
 * Registers up to `count` more grammars; true once all are, with the aliases. Registering calls
 * each grammar's definition, which builds its modes and regexps: ~10 ms for all of them warm,
 * several times that the first time on a slow machine, so the warm-up does it a few per task.
 */
export function registerSomeGrammars(count: number): boolean {
  if (registered) return true;
  const entries = Object.entries(LANGUAGES);
  const end = Math.min(entries.length, registeredCount + count);
  for (; registeredCount < end; registeredCount++) {
    const [name, grammar] = entries[registeredCount]!;
    hljs.registerLanguage(name, grammar);
  }
  if (registeredCount < entries.length) return false;
  // Fence labels models use that the grammars do not alias themselves.
  hljs.registerAliases(['tsx', 'mts', 'cts'], { languageName: 'typescript' });
  hljs.registerAliases(['jsx', 'mjs', 'cjs'], { languageName: 'javascript' });
  hljs.registerAliases(['toml', 'properties'], { languageName: 'ini' });
  hljs.registerAliases(['vue', 'svelte'], { languageName: 'xml' });
  registered = true;
  return true;
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
 * Grammars highlight.js has compiled. It compiles one on its first use (every mode's regexps,
 * recursively): for TypeScript that is 20-30 ms here, several times the highlighting of a block,
 * so a restored answer compiles a grammar in a task of its own (deferred.ts). Keyed by the
 * grammar, so aliases (`ts`, `tsx`) share it.
 */
const compiled = new WeakSet<object>();

/** The grammar of `language` is compiled: highlighting with it costs only the highlighting. */
export function isGrammarCompiled(language: string): boolean {
  const grammar = isKnownLanguage(language) ? hljs.getLanguage(language) : undefined;
  return grammar === undefined || compiled.has(grammar);
}

/** Compiles the grammar of `language` (highlighting a token of it), without highlighting anything wanted. */
export function compileGrammar(language: string): void {
  highlightToHtml('x', language);
}

/**
 * Highlighted HTML for `code`: highlight.js escapes the text and adds only `<span class="hljs-…">`,
 * and the result still goes through the sanitiser.
 */
export function highlightToHtml(code: string, language: string): string {
  if (!isKnownLanguage(language)) return escapeHtml(code);
  try {
    return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  } catch {
    // A grammar bug must cost the colours, not the answer.
    return escapeHtml(code);
  } finally {
    const grammar = hljs.getLanguage(language);
    if (grammar) compiled.add(grammar);
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
