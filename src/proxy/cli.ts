/**
 * `anymodel`: the command line. `anymodel proxy` serves every configured model over the OpenAI API;
 * `anymodel chat` is a one-shot that streams an answer to stdout; `anymodel models` lists models;
 * `anymodel compare` asks several models at once (compare-cli.ts).
 */
import { parseArgs } from 'node:util';
import { AnyModelClient } from '../core';
import { buildConfig, loadConfigFile, type CoreConfig } from '../core';
import { isAnyModelError, type OtelSettings } from '../core';
import { startProxy } from './start';
import { runCompare } from './compare-cli';

const HELP = `AnyModel: one OpenAI-style interface over any LLM provider.

Usage:
  anymodel proxy --config FILE [--port 4000] [--host 127.0.0.1] [--usage-log FILE]
                 [--grace-seconds 5] [--otlp-endpoint URL] [--otlp-log-content]
                 [--metrics-public]
      Serve the config's models over an OpenAI-compatible API. --usage-log appends
      one JSON line per request (tokens, cost, latency; no keys, no prompts).
      --otlp-endpoint sends an OpenTelemetry span per request to a collector over
      OTLP/HTTP (also OTEL_EXPORTER_OTLP_ENDPOINT, or litellm_settings.callbacks:
      ["otel"] for http://127.0.0.1:4318); prompts and answers go on the spans only
      with --otlp-log-content. GET /metrics serves Prometheus metrics, behind the
      master key unless --metrics-public.
      On SIGTERM or SIGINT, open requests get --grace-seconds to finish; streams
      still open then end with an error event of type "server_shutdown".
      A master key (general_settings.master_key or ANYMODEL_MASTER_KEY) is required
      to listen on anything but loopback.
  anymodel chat --model ID [--config FILE] [--system TEXT] PROMPT
      Stream one answer to stdout. ID is a model_name from the config, or a
      provider/model id such as ollama_chat/llama3.2 (keys from the environment).
      PROMPT "-" reads the prompt from standard input.
  anymodel models --config FILE
      List the model names the config serves.
  anymodel compare --models A,B[,C,D] [--config FILE] [--system TEXT] [--json]
                   [--concurrency N] PROMPT
      Ask 2 to 4 models the same question at once. Prints each answer as it
      completes, then a table: time to first token, total time, tokens in and
      out, cost. --json prints one JSON document instead. Exit code 1 when a
      model failed. PROMPT "-" reads the prompt from standard input.

Options:
  -h, --help      Show this help
  -v, --version   Show the version
`;

const VERSION = '0.1.0';

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      model: { type: 'string', short: 'm' },
      system: { type: 'string', short: 's' },
      'usage-log': { type: 'string' },
      'grace-seconds': { type: 'string' },
      models: { type: 'string' },
      json: { type: 'boolean' },
      concurrency: { type: 'string' },
      'otlp-endpoint': { type: 'string' },
      'otlp-log-content': { type: 'boolean' },
      'metrics-public': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.version) return print(VERSION);
  if (values.help || !command) return print(HELP, command ? 0 : 2);

  if (command === 'proxy') {
    if (!values.config) return fail('anymodel proxy needs --config FILE (a LiteLLM-style config.yaml)');
    const port = values.port === undefined ? 4000 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`--port must be a whole number from 0 to 65535, not "${values.port}"`);
    const grace = values['grace-seconds'] === undefined ? 5 : Number(values['grace-seconds']);
    if (!(grace >= 0 && grace <= 3600)) return fail(`--grace-seconds must be a number of seconds from 0 to 3600, not "${values['grace-seconds']}"`);
    const config = await loadConfigFile(values.config);
    printWarnings(config);
    const requestLog = batchedLines(process.stderr);
    const otlp = otlpSettings(values, config);
    const proxy = await startProxy({ config, host: values.host ?? '127.0.0.1', port, masterKey: process.env.ANYMODEL_MASTER_KEY || config.masterKey, clientOptions: { ...(values['usage-log'] ? { usageLogPath: values['usage-log'] } : {}), onWarning: (w) => process.stderr.write(`anymodel: warning: ${w}\n`) }, log: requestLog.line, stateLog: requestLog.now, graceMs: grace * 1000, ...(otlp ? { otlp } : {}), ...(values['metrics-public'] ? { metrics: { public: true, enabled: true } } : {}) });
    process.stdout.write(`AnyModel proxy listening on ${proxy.url}/v1 with ${config.deployments.length} deployment(s): ${proxy.client.modelNames().join(', ') || '(none)'}\n`);
    if (proxy.otel) process.stdout.write(`OpenTelemetry spans to ${proxy.otel.url}${proxy.otel.logContent ? ' (with message content)' : ''}\n`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        requestLog.flush();
        process.stderr.write(`${signal}: shutting down\n`);
        void proxy.close().then(() => {
          requestLog.flush();
          resolve();
        });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    return 0;
  }

  if (command === 'chat') {
    if (!values.model) return fail('anymodel chat needs --model ID');
    let prompt = rest.join(' ');
    if (prompt === '-') prompt = await readStdin();
    if (!prompt.trim()) return fail('anymodel chat needs a prompt');
    const config = values.config ? await loadConfigFile(values.config) : buildConfig({ model_list: [] });
    printWarnings(config);
    const client = new AnyModelClient(config, { allowUnconfiguredModels: true });
    const messages = [...(values.system ? [{ role: 'system' as const, content: values.system }] : []), { role: 'user' as const, content: prompt }];
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    const handle = await client.streamChat({ model: values.model, messages }, { signal: controller.signal });
    for await (const part of handle.parts) {
      if (part.type === 'text-delta') process.stdout.write(part.text);
      else if (part.type === 'error') throw part.error;
      else if (part.type === 'finish') process.stdout.write('\n');
    }
    return 0;
  }

  if (command === 'models') {
    if (!values.config) return fail('anymodel models needs --config FILE');
    const config = await loadConfigFile(values.config);
    printWarnings(config);
    for (const d of config.deployments) process.stdout.write(`${d.modelName}\t${d.id}\n`);
    return 0;
  }

  if (command === 'compare') {
    let prompt = rest.join(' ');
    if (prompt === '-') prompt = await readStdin();
    return runCompare({ ...values, prompt }, {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      onInterrupt: (stop) => process.once('SIGINT', stop),
    });
  }

  return fail(`Unknown command "${command}". Run anymodel --help.`);
}

/**
 * Where spans go: --otlp-endpoint, else the OpenTelemetry SDKs' environment variables (the traces
 * one as a full URL, the general one as a base: https://opentelemetry.io/docs/specs/otel/protocol/exporter/),
 * else the collector's default OTLP/HTTP port on loopback when the config asks for "otel".
 */
function otlpSettings(values: { 'otlp-endpoint'?: string; 'otlp-log-content'?: boolean }, config: CoreConfig): OtelSettings | undefined {
  const env = process.env;
  const [endpoint, source] = values['otlp-endpoint'] !== undefined ? [values['otlp-endpoint'], '--otlp-endpoint']
    : env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? [env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']
      : env.OTEL_EXPORTER_OTLP_ENDPOINT ? [env.OTEL_EXPORTER_OTLP_ENDPOINT, 'OTEL_EXPORTER_OTLP_ENDPOINT']
        : config.settings.telemetry.otel ? ['http://127.0.0.1:4318', 'litellm_settings.callbacks'] : [undefined, ''];
  if (endpoint === undefined) return undefined;
  const asIs = source === 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';
  const headers = env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS;
  return { endpoint, source, asIs, logContent: values['otlp-log-content'] === true, serviceName: env.OTEL_SERVICE_NAME || 'anymodel-proxy', serviceVersion: VERSION, ...(headers ? { headers } : {}) };
}

/**
 * Request log lines, written together at most every FLUSH_MS: a write is a system call to stderr,
 * and once per turn of the event loop still cost ≈ 9 µs a request under load (strace of the
 * proxy at 50 connections: one write per two requests). A person reading the log sees each line
 * within FLUSH_MS; shutdown, or any other exit, flushes what is pending.
 */
const FLUSH_MS = 50;

function batchedLines(out: NodeJS.WritableStream): { line(text: string): void; now(text: string): void; flush(): void } {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (!pending) return;
    const text = pending;
    pending = '';
    out.write(text);
  };
  process.once('exit', flush);
  return {
    line: (text) => {
      pending += `${text}\n`;
      timer ??= setTimeout(flush, FLUSH_MS).unref();
    },
    // A rare line that must not wait (Redis lost or back): after the pending ones, in order.
    now: (text) => {
      pending += `${text}\n`;
      flush();
    },
    flush,
  };
}

function print(text: string, code = 0): number {
  (code ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : `${text}\n`);
  return code;
}

function fail(message: string): number {
  return print(`anymodel: ${message}`, 2);
}

function printWarnings(config: CoreConfig): void {
  for (const w of config.warnings) process.stderr.write(`anymodel: warning: ${w}\n`);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      process.stderr.write(`anymodel: ${isAnyModelError(err) ? `${err.kind}: ${err.message}` : (err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
