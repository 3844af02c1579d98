/**
 * Runs inside the real extension host as the extensionTestsPath of one activation sample: reads
 * what VS Code recorded about activating the extension (its performance marks, the ones
 * "Developer: Startup Performance" lists) and what the extension measured about itself, times
 * the first use of the services bundle, and writes it all to $ANYMODEL_BENCH_OUT. Bundled by the
 * activation suite (vscode external).
 */
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { AnyModelApi } from '../../src/extension/extension';

const EXTENSION_ID = 'anymodel.anymodel';

/**
 * VS Code's perf marks (vs/base/common/performance), kept on globalThis in the extension host:
 * around require() of the main file and from calling activate() until its result resolved.
 * Date.now() based, so whole milliseconds.
 */
function vscodeMarks(): Record<string, number> {
  const marks = (globalThis as { MonacoPerformanceMarks?: { getMarks(): { name: string; startTime: number }[] } }).MonacoPerformanceMarks?.getMarks() ?? [];
  const out: Record<string, number> = {};
  for (const m of marks) {
    const name = /^code\/extHost\/(\w+)\/(.+)$/.exec(m.name);
    if (name?.[2]?.toLowerCase() === EXTENSION_ID) out[name[1]!] = m.startTime;
  }
  return out;
}

export async function run(): Promise<void> {
  const out = process.env.ANYMODEL_BENCH_OUT;
  if (!out) throw new Error('ANYMODEL_BENCH_OUT is not set');
  const ext = vscode.extensions.getExtension<AnyModelApi>(EXTENSION_ID);
  if (!ext) throw new Error('the extension is not loaded');
  const wasActive = ext.isActive;
  const t0 = performance.now();
  const api = await ext.activate();
  // Seen from a caller: what activating it on an event costs end to end (only when it was not active yet).
  const activateCallMs = performance.now() - t0;
  const marks = vscodeMarks();
  const span = (from: string, to: string) => (marks[from] !== undefined && marks[to] !== undefined ? marks[to]! - marks[from]! : undefined);
  const t1 = performance.now();
  await api.services();
  const servicesMs = performance.now() - t1;
  writeFileSync(out, JSON.stringify({
    wasActive, activateCallMs: wasActive ? undefined : activateCallMs,
    vscodeLoadMs: span('willLoadExtensionCode', 'didLoadExtensionCode'),
    vscodeActivateMs: span('willActivateExtension', 'didActivateExtension'),
    vscodeTotalMs: span('willLoadExtensionCode', 'didActivateExtension'),
    activationMs: api.activationMs, loadMs: api.loadMs, servicesMs, vscode: vscode.version, node: process.version,
  }));
}
