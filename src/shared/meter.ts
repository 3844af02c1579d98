/**
 * The composer's context meter: the tokens a send would use (the conversation that would be
 * sent, the attachments and the draft) against the model's context window. Shared by the webview
 * (which draws it as the draft changes) and the host (which checks again before sending).
 * Drafts count at the core's four characters a token (src/core/usage/estimate.ts).
 */
import type { ContextUsage } from './protocol';

/** Past this share of the window the meter warns. */
export const WARN_AT = 0.8;

export interface Meter {
  used: number;
  window: number | null;
  /** used / window; null when the window is unknown. */
  ratio: number | null;
  level: 'ok' | 'warning' | 'over' | 'unknown';
  /** `12.3K / 128K tokens (10 %)`. */
  label: string;
  /** The sentence for screen readers and the tooltip. */
  detail: string;
}

export function draftTokens(text: string): number {
  return text === '' ? 0 : Math.ceil(text.length / 4) + 2;
}

export function contextMeter(usage: ContextUsage, draft: string): Meter {
  const used = usage.historyTokens + usage.attachmentTokens + draftTokens(draft);
  const window = usage.contextWindow;
  if (!window) {
    return { used, window: null, ratio: null, level: 'unknown', label: `${compact(used)} tokens`, detail: `About ${used.toLocaleString('en-US')} tokens would be sent; the context window of ${usage.model} is not known.` };
  }
  const ratio = used / window;
  const level = ratio > 1 ? 'over' : ratio >= WARN_AT ? 'warning' : 'ok';
  const percent = Math.round(ratio * 100);
  const parts = `conversation ${usage.historyTokens.toLocaleString('en-US')}, attachments ${usage.attachmentTokens.toLocaleString('en-US')}, draft ${draftTokens(draft).toLocaleString('en-US')}`;
  const detail = level === 'over'
    ? `About ${used.toLocaleString('en-US')} tokens (${parts}) do not fit the ${window.toLocaleString('en-US')}-token context window of ${usage.model}.`
    : `About ${used.toLocaleString('en-US')} of the ${window.toLocaleString('en-US')} tokens ${usage.model} holds (${percent} %: ${parts}).${level === 'warning' ? ' The window is nearly full.' : ''}`;
  return { used, window, ratio, level, label: `${compact(used)} / ${compact(window)} tokens (${percent} %)`, detail };
}

/** 950, 1.2K, 32K (32,768), 128K, 1M. */
export function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${n < 10_000 ? (n / 1000).toFixed(1).replace(/\.0$/, '') : Math.floor(n / 1000)}K`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}
