/**
 * A person's-eye view of the VS Code workbench in the browser: what they see (status bar, quick
 * input rows, panels) and what they do (keys, clicks). The UI suites talk to VS Code only through
 * this, so a selector that changes with a VS Code release is fixed in one place.
 *
 * The chat panel is a webview: VS Code nests it in two iframes (the webview host, then the
 * `active-frame` with the extension's HTML). chatFrame() finds it by what it shows, the chat app's
 * root `#app.chat-app`, rather than by VS Code's frame names.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { SCREENSHOT_DIR } from '../../scripts/vscode/paths';
import { waitFor } from '../unit/helpers/wait';

/** The themes the suites wear, with the class the workbench root gets for each. */
const THEME_CLASS = { 'Dark Modern': 'vs-dark', 'Light Modern': 'vs', 'Dark High Contrast': 'hc-black', 'Dark 2026': 'vs-dark' } as const;
export type ThemeLabel = keyof typeof THEME_CLASS;

export class Workbench {
  private current: Page | undefined;

  /** Without a page the Workbench waits for one: a suite's window opens in its before hook (./suite.ts). */
  constructor(page?: Page) {
    this.current = page;
  }

  get page(): Page {
    if (!this.current) throw new Error('no VS Code window yet: the suite\'s before hook has not opened it');
    return this.current;
  }

  attach(page: Page): void {
    this.current = page;
  }

  /** Waits for the window to be usable: the workbench rendered and the explorer showing the folder. */
  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** The AnyModel status bar item, found the way a screen reader would: by its accessible name. */
  modelStatusItem(): Locator {
    return this.page.getByRole('button', { name: /^AnyModel model / });
  }

  async modelStatusText(): Promise<string> {
    return (await this.modelStatusItem().innerText()).trim();
  }

  quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  quickInputTitle(): Locator {
    return this.quickInput().locator('.quick-input-title');
  }

  /** The rows the quick input currently lists (visible part of the list). */
  quickInputRows(): Locator {
    return this.quickInput().locator('.monaco-list-row');
  }

  /** Each row's label (its first .label-name; a row's detail line uses that class too). */
  async quickInputLabels(rows: Locator = this.quickInputRows()): Promise<string[]> {
    return rows.evaluateAll((els) => els.map((el) => el.querySelector('.label-name')?.textContent?.trim() ?? ''));
  }

  /** The label of the row the keyboard is on. */
  async focusedQuickInputLabel(): Promise<string | undefined> {
    return (await this.quickInputLabels(this.quickInputRows().and(this.page.locator('.focused'))))[0];
  }

  /**
   * Polls the focused row until it is `label` (bounded) and returns the last label seen, so a
   * wrong or missing focus fails the caller's assertion with what was there instead.
   */
  async waitForFocusedQuickInputLabel(label: string, timeoutMs = 10_000): Promise<string | undefined> {
    let focused: string | undefined;
    await waitFor(async () => (focused = await this.focusedQuickInputLabel()) === label, `the focused row "${label}"`, timeoutMs).catch(() => undefined);
    return focused;
  }

  /** Opens the command palette with F1 (the binding that works in browsers too) and types the command. */
  async typeInCommandPalette(text: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.quickInput().locator('input').waitFor({ state: 'visible', timeout: 10_000 });
    await this.page.keyboard.type(text, { delay: 20 });
    await this.quickInputRows().filter({ hasText: text.replace(/^>\s*/, '') }).first().waitFor({ state: 'visible', timeout: 10_000 });
  }

  /** Runs a command the way a person does: palette, type its title, Enter. */
  async runCommand(title: string): Promise<void> {
    await this.typeInCommandPalette(title);
    await this.page.keyboard.press('Enter');
  }

  /** Runs the command titled exactly `title`: the palette's first fuzzy match can be another one. */
  async runExactCommand(title: string): Promise<void> {
    await this.typeInCommandPalette(title);
    await this.clickQuickInputRow(title);
  }

  /**
   * "Developer: Reload Window", then waits for the new workbench. A reload restarts the extension
   * host: on a loaded 2-core machine the new one has been seen to start 70 s after the old one stopped.
   */
  async reloadWindow(timeoutMs = 150_000): Promise<void> {
    const reloaded = this.page.waitForEvent('load', { timeout: 60_000 });
    await this.runCommand('Developer: Reload Window');
    await reloaded;
    await this.waitUntilReady(timeoutMs);
  }

  /** Clicks the quick input row whose label is exactly `label`. */
  async clickQuickInputRow(label: string, timeoutMs = 30_000): Promise<void> {
    const labels = await this.quickInputLabels();
    const index = labels.indexOf(label);
    if (index < 0) throw new Error(`no row labelled ${label}; rows: ${labels.join(', ')}`);
    await this.quickInputRows().nth(index).click({ timeout: timeoutMs });
  }

  /** Ticks (or unticks) the row labelled exactly `label` of a multi-select quick pick, by its checkbox. */
  async toggleQuickInputRow(label: string): Promise<void> {
    const labels = await this.quickInputLabels();
    const index = labels.indexOf(label);
    if (index < 0) throw new Error(`no row labelled ${label}; rows: ${labels.join(', ')}`);
    const row = this.quickInputRows().nth(index);
    const box = row.locator('.quick-input-list-checkbox');
    await (await box.count() ? box.first() : row).click();
  }

  async closeQuickInput(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.quickInput().waitFor({ state: 'hidden', timeout: 5_000 });
  }

  /** The quick input's text box (the command palette, a password box, a picker's filter). */
  quickInputBox(): Locator {
    return this.quickInput().locator('.quick-input-box input');
  }

  /**
   * A notification's text as VS Code announces it to screen readers (its aria alert). In this
   * headless web workbench info notifications are announced but no toast is drawn.
   */
  announcement(text: string): Locator {
    return this.page.locator('.monaco-aria-container .monaco-alert').getByText(text, { exact: false }).first();
  }

  /** A modal dialog (e.g. "Open this link?"). */
  dialog(): Locator {
    return this.page.locator('.monaco-dialog-box');
  }

  /**
   * "AnyModel: Set API Key" as a person does it: the palette, the provider's row, the key typed
   * into the password box, Enter. Resolves once the "stored" notification is announced.
   */
  async setApiKey(provider: string, key: string): Promise<void> {
    // A QuickPick closes when the window's focus moves (a webview that loads or re-renders can take
    // it, and on a loaded machine more than once): a person then opens it again, and so does this,
    // up to three times. The row is taken with Enter once the keyboard is on it; a click waits for
    // the list to stop moving, which gives the focus more time to leave. The key's box that follows
    // keeps its focus (ignoreFocusOut).
    const keyBox = this.quickInputTitle().filter({ hasText: `API key for ${provider}` });
    for (let attempt = 1; ; attempt++) {
      await this.runCommand('AnyModel: Set API Key');
      await this.quickInputTitle().filter({ hasText: 'AnyModel: Set API Key' }).waitFor({ state: 'visible', timeout: 30_000 });
      await this.page.keyboard.type(provider, { delay: 10 });
      const focused = await this.waitForFocusedQuickInputLabel(provider);
      if (focused === provider && await this.quickInput().isVisible()) {
        await this.page.keyboard.press('Enter');
        // The picker hides on accept and the key's box comes after a round trip to the extension
        // host, which a loaded machine can make slow: wait for the box itself, as long as before.
        if (await keyBox.waitFor({ state: 'visible', timeout: 30_000 }).then(() => true, () => false)) break;
      }
      if (attempt >= 3 || await this.quickInput().isVisible()) throw new Error(`the Set API Key picker did not take ${provider}: its focused row was ${focused ?? 'none'}`);
      console.log(`      the Set API Key picker closed before its ${provider} row was taken; opening it again`);
    }
    const box = this.quickInputBox();
    if (await box.getAttribute('type') !== 'password') throw new Error('the key box is not a password box');
    await this.page.keyboard.type(key, { delay: 5 });
    await this.page.keyboard.press('Enter');
    await this.announcement(`key for ${provider} stored in secret storage`).waitFor({ state: 'attached', timeout: 30_000 });
  }

  // -------------------------------------------------------------------------------------------
  // The chat panel (a webview)

  /** The chat webview's document, found by its content; waits up to `timeoutMs` for it to load. */
  chatFrame(timeoutMs = 30_000): Promise<Frame> {
    return this.frameWith('#app.chat-app', 'the chat webview (#app.chat-app)', timeoutMs);
  }

  /** The first frame holding `selector`; a frame that goes away meanwhile (a reload) is skipped. */
  private async frameWith(selector: string, what: string, timeoutMs: number): Promise<Frame> {
    return waitFor(async () => {
      for (const frame of this.page.frames()) {
        if (!frame.isDetached() && (await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
      }
      return undefined;
    }, `${what}; frames: ${this.page.frames().map((f) => f.url().slice(0, 80)).join(', ')}`, timeoutMs);
  }

  /** The chat frame once the app has its state from the extension (`aria-busy` drops at the handshake). */
  async readyChat(timeoutMs = 30_000): Promise<Frame> {
    const chat = await this.chatFrame(timeoutMs);
    await chat.locator('#app.chat-app[aria-busy="false"]').waitFor({ state: 'attached', timeout: timeoutMs });
    return chat;
  }

  /** Clicks into the chat's input box and types, key by key. */
  async typeInChat(text: string): Promise<void> {
    const input = (await this.chatFrame()).locator('textarea.composer-input');
    await input.click();
    await this.page.keyboard.type(text, { delay: 5 });
  }

  /** Types a message into the chat and presses Enter. */
  async sendInChat(text: string): Promise<void> {
    await this.typeInChat(text);
    await this.page.keyboard.press('Enter');
  }

  /** What the thread shows, top to bottom: who spoke, the answering model, the text. */
  async chatMessages(): Promise<{ role: 'user' | 'assistant' | 'notice' | 'error'; model?: string; text: string }[]> {
    const chat = await this.chatFrame();
    // No named helpers inside: tsx would wrap them in a __name() the page does not have.
    return chat.locator('.message-list').evaluate((list) => [...list.children].map((el) => {
      if (el.classList.contains('message-user')) return { role: 'user' as const, text: el.querySelector('.message-body')?.textContent?.trim() ?? '' };
      if (el.classList.contains('message-assistant')) {
        const model = el.querySelector('.message-model')?.textContent?.trim();
        const text = el.querySelector('.message-body')?.textContent?.trim() || el.querySelector('.message-error-text')?.textContent?.trim() || '';
        return { role: 'assistant' as const, ...(model ? { model } : {}), text };
      }
      if (el.classList.contains('notice')) return { role: 'notice' as const, text: el.textContent?.trim() ?? '' };
      return { role: 'error' as const, text: el.textContent?.trim() ?? '' };
    }));
  }

  // -------------------------------------------------------------------------------------------
  // The usage dashboard (a webview like the chat, with its own root `#app.usage-app`)

  /** The dashboard's document once it has drawn the host's summary (`aria-busy` drops then). */
  usageFrame(timeoutMs = 30_000): Promise<Frame> {
    return this.frameWith('#app.usage-app[aria-busy="false"]', 'the usage dashboard (#app.usage-app)', timeoutMs);
  }

  /** "Preferences: Color Theme", the theme's row; waits until the workbench wears it. */
  async colorTheme(label: ThemeLabel): Promise<void> {
    // Not runCommand: its first match can be "Browse Color Themes in Marketplace", which goes online.
    await this.runExactCommand('Preferences: Color Theme');
    await this.quickInputBox().and(this.page.locator('[placeholder*="Color Theme" i], [aria-label*="Color Theme" i]')).waitFor({ state: 'visible', timeout: 10_000 });
    await this.page.keyboard.type(label, { delay: 10 });
    await this.quickInputRows().filter({ hasText: label }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await this.clickQuickInputRow(label);
    await this.quickInput().waitFor({ state: 'hidden', timeout: 10_000 });
    await this.page.locator(`.monaco-workbench.${THEME_CLASS[label]}`).waitFor({ state: 'attached', timeout: 30_000 });
  }

  /** Saves test-results/screenshots/<name>.png; stable names so runs can be compared. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, `${name}.png`);
    // Let the last frame paint (animations, hover) so pictures of the same state look the same.
    await this.page.waitForTimeout(300);
    await this.page.screenshot({ path: file });
    return file;
  }
}
