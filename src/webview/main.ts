/**
 * Entry point of dist/webview.js (esbuild, IIFE, browser). Runs inside the VS Code webview under
 * the CSP from src/shared/html.ts; everything it shows comes from validated host messages.
 */
import { ChatApp } from './app';
import type { VsCodeApi } from './host';

declare function acquireVsCodeApi(): VsCodeApi;

const root = document.getElementById('app');
if (root) {
  // acquireVsCodeApi may be called once per page load; the app owns the only handle.
  new ChatApp(root, acquireVsCodeApi()).start();
}
