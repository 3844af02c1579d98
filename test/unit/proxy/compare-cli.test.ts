/**
 * `anymodel compare` as a user runs it (a child process) against mock providers of different
 * speeds on 127.0.0.1: answers print as they complete, the table keeps the order asked with each
 * model's figures, `--json` parses, and wrong usage fails clearly before anything is sent.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockServer, type MockServer } from '../helpers/mock-server';
import { startAnthropicMock } from '../mocks/anthropic';
import { error as openaiError } from '../mocks/openai';
import { openAIStreamOf } from '../../ui/streams';
import { tempDir } from '../helpers/temp';

const CLI = join(__dirname, '../../../src/proxy/cli.ts');
const ENV = { QUICK_KEY: 'quick-key-1', SLOW_KEY: 'slow-key-2', ANTHROPIC_KEY: 'test-key' };

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', CLI, ...args], { env: { ...process.env, ...ENV }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  child.stdin.end();
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

describe('anymodel compare', function () {
  this.timeout(60_000);
  let quick: MockServer;
  let slow: MockServer;
  let claude: MockServer;
  let configPath: string;
  const usage = { prompt_tokens: 42, completion_tokens: 120 };

  before(async () => {
    [quick, slow, claude] = await Promise.all([
      startMockServer((req) => req.headers.authorization === `Bearer ${ENV.QUICK_KEY}`
        ? ((req.body as { model: string }).model === 'gpt-4.1' ? openaiError('openai', 400, 'gpt-4.1 is not served here.', 'model_not_found') : openAIStreamOf('Quick answer.', { size: 50, delayMs: 0, usage }))
        : openaiError('openai', 401, 'Incorrect API key provided.', 'invalid_api_key')),
      // Four events 400 ms apart, the first of them without text: the first token comes late.
      startMockServer(() => openAIStreamOf('A slow, careful answer.', { size: 12, delayMs: 400, usage })),
      startAnthropicMock(),
    ]);
    const dir = tempDir('compare-cli');
    configPath = join(dir, 'config.yaml');
    writeFileSync(configPath, [
      'model_list:',
      '  - model_name: slow',
      `    litellm_params: { model: openai/gpt-4o, api_base: ${slow.url}/v1, api_key: os.environ/SLOW_KEY }`,
      '  - model_name: quick',
      `    litellm_params: { model: openai/gpt-4o-mini, api_base: ${quick.url}/v1, api_key: os.environ/QUICK_KEY }`,
      '  - model_name: claude',
      `    litellm_params: { model: anthropic/claude-sonnet-4-5, api_base: ${claude.url}, api_key: os.environ/ANTHROPIC_KEY }`,
      '  - model_name: broken',
      `    litellm_params: { model: openai/gpt-4.1, api_base: ${quick.url}/v1, api_key: os.environ/QUICK_KEY }`,
      '',
    ].join('\n'));
  });
  after(() => Promise.all([quick.close(), slow.close(), claude.close()]));
  beforeEach(() => { for (const m of [quick, slow, claude]) m.requests.length = 0; });

  it('prints each answer as it completes, then the table in the order asked with each model\'s figures', async () => {
    const r = await run(['compare', '--models', 'slow,quick,claude', '--config', configPath, 'Which sort is stable?']);
    assert.equal(r.code, 0, r.err);
    const [answers, table] = r.out.split(/\n(?=model\s+TTFT)/);
    // The slow model finishes last, so its answer prints last.
    const heads = [...answers!.matchAll(/^── (\S+) · (\d+\.\d\d) s ──$/gm)].map((m) => m[1]);
    assert.equal(heads.length, 3, answers);
    assert.equal(heads[2], 'slow');
    assert.deepEqual([...heads].sort(), ['claude', 'quick', 'slow']);
    assert.match(answers!, /── slow · \d+\.\d\d s ──\nA slow, careful answer\.\n/);
    assert.match(answers!, /── quick · \d+\.\d\d s ──\nQuick answer\.\n/);
    assert.match(answers!, /── claude · \d+\.\d\d s ──\nHello from anthropic: Which sort is stable\?\n/);
    const lines = table!.trimEnd().split('\n');
    assert.match(lines[0]!, /^model\s+TTFT\s+total\s+tokens in\s+tokens out\s+cost$/);
    const rows = lines.slice(2).map((l) => l.split(/\s{2,}/));
    assert.deepEqual(rows.map((row) => row[0]), ['slow', 'quick', 'claude'], 'the order asked, not the order finished');
    // gpt-4o $2.50/$10, gpt-4o-mini $0.15/$0.60 per M tokens; claude-sonnet-4-5 $3/$15 with 3 of 11 input tokens cache reads at $0.30.
    assert.deepEqual(rows.map((row) => row.slice(3)), [['42', '120', '$0.001305'], ['42', '120', '$0.000078'], ['11', '7', '$0.00013']]);
    const seconds = (cell: string) => Number(cell.replace(' s', ''));
    const [slowRow, quickRow] = rows;
    assert.ok(seconds(slowRow![1]!) >= 0.4, `the slow model's first token came after its first empty event: ${slowRow![1]}`);
    assert.ok(seconds(slowRow![1]!) > seconds(quickRow![1]!), `TTFT slow ${slowRow![1]} > quick ${quickRow![1]}`);
    assert.ok(seconds(slowRow![2]!) >= 1.2 && seconds(slowRow![2]!) > seconds(quickRow![2]!), `total slow ${slowRow![2]} vs quick ${quickRow![2]}`);
    for (const m of [slow, quick]) assert.equal(((m.requests[0]!.body as { messages: { content: string }[] }).messages[0]!.content), 'Which sort is stable?');
    assert.equal(claude.requests.length, 1);
  });

  it('--json gives one document with every model\'s figures; a failed model makes the exit code 1 and leaves the others', async () => {
    const r = await run(['compare', '--json', '--models', 'quick,broken,claude', '--config', configPath, 'Hi']);
    assert.equal(r.code, 1, r.err);
    const doc = JSON.parse(r.out) as { prompt: string; results: { model: string; status: string; text: string; ttftMs: number | null; totalMs: number; inputTokens: number | null; outputTokens: number | null; costUsd: number | null; error: { kind: string; message: string } | null; fallback: unknown }[] };
    assert.equal(doc.prompt, 'Hi');
    assert.deepEqual(doc.results.map((x) => [x.model, x.status, x.text]), [['quick', 'done', 'Quick answer.'], ['broken', 'error', ''], ['claude', 'done', 'Hello from anthropic: Hi']]);
    const [q, b, c] = doc.results;
    assert.deepEqual([q!.inputTokens, q!.outputTokens, c!.inputTokens, c!.outputTokens], [42, 120, 11, 7]);
    assert.ok(Math.abs(q!.costUsd! - (42 * 0.15 + 120 * 0.6) / 1e6) < 1e-12, String(q!.costUsd));
    assert.ok(Math.abs(c!.costUsd! - (8 * 3 + 3 * 0.3 + 7 * 15) / 1e6) < 1e-12, String(c!.costUsd));
    assert.ok(q!.ttftMs! > 0 && q!.totalMs >= q!.ttftMs!);
    assert.deepEqual(b!.error, { kind: 'BadRequest', message: 'openai 400: gpt-4.1 is not served here.' });
    assert.equal(b!.ttftMs, null);
    assert.equal(q!.fallback, null);
  });

  it('unknown models, a missing config and a wrong count fail before anything is sent', async () => {
    const unknown = await run(['compare', '--models', 'quick,nope,gone', '--config', configPath, 'Hi']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.err, 'anymodel: Unknown models: nope, gone. Use a model_name from the config or a provider/model id.\n');
    const noConfig = await run(['compare', '--models', 'quick,claude', '--config', join(tmpdir(), 'no-such-anymodel-config.yaml'), 'Hi']);
    assert.equal(noConfig.code, 2);
    assert.match(noConfig.err, /^anymodel: .*no-such-anymodel-config\.yaml.*cannot read the config file: ENOENT/);
    const bare = await run(['compare', '--models', 'quick,claude', 'Hi']);
    assert.equal(bare.code, 2);
    assert.match(bare.err, /Unknown models: quick, claude\. .* Without --config only provider\/model ids/);
    const one = await run(['compare', '--models', 'quick', '--config', configPath, 'Hi']);
    assert.equal(one.code, 2);
    assert.match(one.err, /Compare takes 2 to 4 different models; got 1 \(quick\)/);
    assert.deepEqual([quick, slow, claude].map((m) => m.requests.length), [0, 0, 0], 'nothing was sent');
    assert.equal(unknown.out + noConfig.out + bare.out + one.out, '');
  });
});
