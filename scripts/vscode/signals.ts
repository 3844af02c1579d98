// Ctrl+C, a CI cancel or a closed terminal must not leave a VS Code server or a browser behind:
// every long-running harness entry point routes those signals through here to its cleanup.
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** Runs cleanup once on the first signal, then exits 128+signal. A second signal exits at once. */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  let cleaning = false;
  const handler = (signal: NodeJS.Signals) => {
    const code = 128 + (NUMBERS[signal] ?? 0);
    if (cleaning) process.exit(code);
    cleaning = true;
    console.error(`\n${signal}: stopping VS Code and the browser...`);
    cleanup().catch((err: unknown) => console.error(err)).finally(() => process.exit(code));
  };
  for (const s of SIGNALS) process.on(s, handler);
  return () => {
    for (const s of SIGNALS) process.off(s, handler);
  };
}
