/**
 * Runs inside the real extension host as the extensionTestsPath of one activation sample: reads
 * what the extension measured about its own start, times the first use of the services bundle,
 * and writes it all to $ANYMODEL_BENCH_OUT. Bundled by the activation suite (vscode external).
 */
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { AnyModelApi } from '../../src/extension/extension';

export async function run(): Promise<void> {
  const out = process.env.ANYMODEL_BENCH_OUT;
  if (!out) throw new Error('ANYMODEL_BENCH_OUT is not set');
  const ext = vscode.extensions.getExtension<AnyModelApi>('anymodel.anymodel');
  if (!ext) throw new Error('the extension is not loaded');
  const wasActive = ext.isActive;
  const api = await ext.activate();
  const t0 = performance.now();
  await api.services();
  const servicesMs = performance.now() - t0;
  writeFileSync(out, JSON.stringify({ wasActive, activationMs: api.activationMs, loadMs: api.loadMs, servicesMs, vscode: vscode.version, node: process.version }));
}
