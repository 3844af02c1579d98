/**
 * A person's-eye view of the VS Code workbench in the browser: what they see (status bar, quick
 * input rows, panels) and what they do (keys, clicks). The UI suites talk to VS Code only through
 * this, so a selector that changes with a VS Code release is fixed in one place.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { SCREENSHOT_DIR } from '../../scripts/vscode/paths';

export class Workbench {
  constructor(readonly page: Page) {}

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

  /** Clicks the quick input row whose label is exactly `label`. */
  async clickQuickInputRow(label: string): Promise<void> {
    const labels = await this.quickInputLabels();
    const index = labels.indexOf(label);
    if (index < 0) throw new Error(`no row labelled ${label}; rows: ${labels.join(', ')}`);
    await this.quickInputRows().nth(index).click();
  }

  async closeQuickInput(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.quickInput().waitFor({ state: 'hidden', timeout: 5_000 });
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
