/**
 * `anymodel compare --models a,b,c [--config FILE] PROMPT`: the same question to 2–4 models at
 * once, each answer printed as it completes (fastest first), then a table in the order the models
 * were given: time to first token, total time, tokens in and out, cost. `--json` prints one JSON
 * document instead, for scripts. Exit code 0 when every model answered, 1 when one failed, 2 for
 * wrong usage (unknown model, unreadable config) before anything was sent.
 */
import {
  AnyModelClient, buildConfig, compareRows, ConfigError, formatCompareTable, formatSeconds, isAnyModelError,
  loadConfigFile, MAX_COMPARE_MODELS, startComparison, type CompareColumn, type CoreConfig,
} from '../core';

export interface CompareArgs {
  models?: string;
  config?: string;
  system?: string;
  json?: boolean;
  concurrency?: string;
  prompt: string;
}

export interface CompareIO {
  out(text: string): void;
  err(text: string): void;
  /** Called with the stop function; the CLI wires it to SIGINT. */
  onInterrupt?(stop: () => void): void;
}

export async function runCompare(args: CompareArgs, io: CompareIO): Promise<number> {
  const fail = (message: string) => { io.err(`anymodel: ${message}\n`); return 2; };
  const models = (args.models ?? '').split(',').map((m) => m.trim()).filter(Boolean);
  if (models.length === 0) return fail('anymodel compare needs --models a,b[,c,d]: 2 to 4 model names from the config, or provider/model ids');
  if (!args.prompt.trim()) return fail('anymodel compare needs a prompt');
  const concurrency = args.concurrency === undefined ? undefined : Number(args.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= MAX_COMPARE_MODELS)) return fail(`--concurrency must be a whole number from 1 to ${MAX_COMPARE_MODELS}, not "${args.concurrency}"`);
  let config: CoreConfig;
  try {
    config = args.config ? await loadConfigFile(args.config) : buildConfig({ model_list: [] });
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message);
    throw err;
  }
  for (const w of config.warnings) io.err(`anymodel: warning: ${w}\n`);
  const client = new AnyModelClient(config, { allowUnconfiguredModels: true });
  const messages = [...(args.system ? [{ role: 'system' as const, content: args.system }] : []), { role: 'user' as const, content: args.prompt }];
  let run;
  try {
    run = startComparison(client, {
      models,
      request: { messages },
      ...(concurrency ? { concurrency } : {}),
      onEvent: (e) => { if (e.type === 'column-end' && !args.json) io.out(answerBlock(e.result)); },
    });
  } catch (err) {
    if (!isAnyModelError(err)) throw err;
    const hint = err.kind === 'NotFound' && !args.config ? ' Without --config only provider/model ids (openai/gpt-4o, ollama_chat/llama3.2) are known.' : '';
    return fail(`${err.message}${hint}`);
  }
  io.onInterrupt?.(() => run.stop());
  const columns = await run.done;
  if (args.json) io.out(`${JSON.stringify({ prompt: args.prompt, results: compareRows(columns) }, null, 2)}\n`);
  else io.out(`${formatCompareTable(columns)}\n`);
  return columns.every((c) => c.status === 'done') ? 0 : 1;
}

/** One answer as it completes: a rule naming the model (and who answered), then the text or the error. */
function answerBlock(c: CompareColumn): string {
  const who = c.fallback ? `${c.model} (answered by ${c.answeredBy}, ${c.fallback.kind === 'offline' ? 'offline switch' : 'fallback'})` : c.model;
  const head = `── ${who} · ${c.status === 'error' ? 'failed' : c.status === 'stopped' ? 'stopped' : formatSeconds(c.totalMs)} ──`;
  const body = c.status === 'error' ? `${c.error?.kind}: ${c.error?.message}` : c.text;
  return `${head}\n${body}${body.endsWith('\n') ? '' : '\n'}\n`;
}
