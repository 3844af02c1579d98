/**
 * Waits for a state instead of for time: polls `check` until it returns something truthy and
 * returns that, failing with `what` after `timeoutMs`. Generous bounds, so a busy machine only
 * makes a test slower, never wrong.
 */
export async function waitFor<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, what = 'the state', timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10)); // the poll interval, bounded by the deadline
  }
}
