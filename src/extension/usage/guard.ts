/**
 * The editor's budgets at work (the decisions are in budget.ts): before a request is sent, a
 * spent budget asks, in a modal, whether to send this one request anyway ("Allow this request")
 * or to raise the budget ("Open settings"); anything but "Allow" refuses the request before it
 * leaves, with a BudgetExceeded error the chat shows. After a paid answer, a budget past 80 % is
 * a warning once per UTC day per budget (remembered in global state, so a reload does not repeat
 * it). Settings are read at every check: a change applies to the next request.
 */
import * as vscode from 'vscode';
import { AnyModelError } from '../../core';
import { SECTION } from '../settings';
import { decideBudget, describeBudget, parseBudgetSettings, WarnedToday, WARN_AT, type BudgetLimits, type BudgetStatus } from './budget';
import { utcDay, type UsageStore } from './store';
import type { StoredUsage } from './schema';

export const ALLOW_REQUEST = 'Allow this request';
export const OPEN_SETTINGS = 'Open settings';
const WARNED_KEY = 'anymodel.budget.warned';

export class BudgetGuard {
  private readonly reported = new Set<string>();
  private readonly warned: WarnedToday;
  /** The refusal on screen now, for the tests (the modal cannot be read from the extension host). */
  asking: BudgetStatus | undefined;

  constructor(
    private readonly store: UsageStore,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
    private readonly now: () => number = Date.now,
  ) {
    this.warned = new WarnedToday(state.get<Record<string, string>>(WARNED_KEY) ?? {});
  }

  limits(): BudgetLimits {
    const c = vscode.workspace.getConfiguration(SECTION);
    const { limits, problems } = parseBudgetSettings(c.get('budget.dailyUsd'), c.get('budget.perModelDailyUsd'));
    for (const p of problems) {
      if (this.reported.has(p)) continue;
      this.reported.add(p);
      this.log.warn(p);
      void vscode.window.showWarningMessage(`AnyModel: ${p}`, OPEN_SETTINGS).then((c) => { if (c) void openBudgetSettings(); });
    }
    return limits;
  }

  /**
   * Resolves when a request for `group` may be sent; throws BudgetExceeded when a budget is spent
   * and the user did not allow this one request. `free`: a local model, never held back.
   */
  async admit(group: string, free: boolean): Promise<void> {
    const decision = decideBudget(this.limits(), (g) => this.store.spentToday(g), group, free);
    if (decision.kind === 'ok') return;
    if (decision.kind === 'warn') {
      this.warn(decision.status);
      return;
    }
    const what = describeBudget(decision.status);
    this.asking = decision.status;
    let choice: string | undefined;
    try {
      choice = await vscode.window.showWarningMessage(`AnyModel: ${capitalise(what)} is used up.`, {
        modal: true,
        detail: `This request to ${group} has not been sent. Allow this one request, or raise the budget in the settings (anymodel.budget.dailyUsd, anymodel.budget.perModelDailyUsd). Budgets reset at midnight UTC.`,
      }, ALLOW_REQUEST, OPEN_SETTINGS);
    } finally {
      this.asking = undefined;
    }
    if (choice === ALLOW_REQUEST) {
      this.log.info(`Budget: allowed one request to ${group} past ${what}.`);
      return;
    }
    if (choice === OPEN_SETTINGS) void openBudgetSettings();
    throw new AnyModelError({ kind: 'BudgetExceeded', code: 'budget_exceeded', message: `Not sent: ${what} is used up. Raise it in the settings, or send again and allow the request.` });
  }

  /** After each record: a paid answer that took a budget past 80 % warns (once a day). */
  afterUsage(record: StoredUsage): void {
    if (record.costUsd <= 0 || utcDay(record.time) !== utcDay(this.now())) return;
    const limits = this.limits();
    const statuses: BudgetStatus[] = [];
    if (limits.dailyUsd !== undefined) statuses.push({ scope: 'all', limitUsd: limits.dailyUsd, spentUsd: this.store.spentToday() });
    const own = limits.perModelDailyUsd[record.modelGroup];
    if (own !== undefined) statuses.push({ scope: record.modelGroup, limitUsd: own, spentUsd: this.store.spentToday(record.modelGroup) });
    for (const s of statuses) if (s.spentUsd >= WARN_AT * s.limitUsd) this.warn(s);
  }

  private warn(s: BudgetStatus): void {
    if (!this.warned.take(s.scope, utcDay(this.now()))) return;
    void this.state.update(WARNED_KEY, this.warned.toJSON());
    const used = s.limitUsd > 0 ? Math.floor((s.spentUsd / s.limitUsd) * 100) : 100;
    const line = `${capitalise(describeBudget(s))} is ${used} % used.${used >= 100 ? ' Further requests ask before they are sent.' : ''}`;
    this.log.warn(`Budget: ${line}`);
    void vscode.window.showWarningMessage(`AnyModel: ${line}`, 'Show Usage', OPEN_SETTINGS).then((c) => {
      if (c === OPEN_SETTINGS) void openBudgetSettings();
      else if (c) void vscode.commands.executeCommand('anymodel.showUsage');
    });
  }
}

export function openBudgetSettings(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.budget`);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
