/** Dollars as budgets and the status bar say them; its own file so the activation bundle stays free of zod. */

/** Cents, or four decimals below a dollar (budgets of a few cents are common in trials). */
export function usd(v: number): string {
  return `$${v.toFixed(v < 1 ? 4 : 2)}`;
}
