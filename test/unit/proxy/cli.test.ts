/** The `anymodel` command as a user runs it: a real child process, real signals, real stdout. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOpenAIMock } from '../mocks/openai';
import type { MockServer } from '../helpers/mock-server';
import { waitFor } from '../helpers/wait';
import { tempDir } from '../helpers/temp';

const CLI = join(__dirname, '../../../src/proxy/cli.ts');

function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', CLI, ...args], { env: { ...process.env, ...env, ANYMODEL_MASTER_KEY: env.ANYMODEL_MASTER_KEY ?? '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdin!.end();
  return { child, out: () => out, err: () => err, exit };
}

describe('anymodel CLI', function () {
  this.timeout(30_000);
  let upstream: MockServer;
  let configPath: string;

  before(async () => {
    upstream = await startOpenAIMock({ apiKey: 'cli-upstream-key' });
    const dir = tempDir('cli');
    configPath = join(dir, 'config.yaml');
    writeFileSync(configPath, `model_list:\n  - model_name: mock\n    litellm_params:\n      model: openai/gpt-4o\n      api_base: ${upstream.url}/v1\n      api_key: os.environ/MOCK_KEY\n`);
  });
  after(() => upstream.close());

  it('serves the config over HTTP and shuts down cleanly on SIGTERM', async () => {
    const p = run(['proxy', '--config', configPath, '--port', '0'], { MOCK_KEY: 'cli-upstream-key' });
    await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)\/v1/.test(p.out()));
    const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(p.out())![1]!;
    const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mock', messages: [{ role: 'user', content: 'from the cli test' }] }) });
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    assert.equal(body.choices[0]!.message.content, 'Hello from openai: from the cli test');
    // The request log is batched, but a line shows while the proxy runs, not only at shutdown.
    await waitFor(() => /POST \/v1\/chat\/completions 200 [\d.]+ms openai\/gpt-4o@/.test(p.err()));
    const second = await fetch(`${base}/v1/models`);
    assert.equal(second.status, 200);
    p.child.kill('SIGTERM');
    assert.equal(await p.exit, 0);
    // A line still pending at shutdown is written before the shutdown message.
    assert.match(p.err(), /GET \/v1\/models 200 [\d.]+ms\n(.*\n)*SIGTERM: shutting down/);
    assert.ok(!p.err().includes('cli-upstream-key') && !p.out().includes('cli-upstream-key'), 'the key is never printed');
  });

  it('streams a one-shot chat answer to stdout', async () => {
    const p = run(['chat', '--config', configPath, '--model', 'mock', 'say hello'], { MOCK_KEY: 'cli-upstream-key' });
    assert.equal(await p.exit, 0, p.err());
    assert.equal(p.out(), 'Hello from openai: say hello\n');
  });

  it('fails with a clear message, and no key, when the upstream refuses the key', async () => {
    const p = run(['chat', '--config', configPath, '--model', 'mock', 'x'], { MOCK_KEY: 'sk-wrong-key-0123456789' });
    assert.equal(await p.exit, 1);
    assert.match(p.err(), /Authentication/);
    assert.ok(!p.err().includes('sk-wrong-key-0123456789'), p.err());
  });

  it('an api_key naming an unset variable: a warning at startup, a clear error when called, and no other key sent upstream', async () => {
    upstream.requests.length = 0;
    const p = run(['proxy', '--config', configPath, '--port', '0'], { MOCK_KEY: '', OPENAI_API_KEY: 'sk-ambient-never-sent-0123' });
    let res: Response;
    let body: { error: { message: string; code: string } };
    try {
      await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)\/v1/.test(p.out()));
      const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(p.out())![1]!;
      res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mock', messages: [{ role: 'user', content: 'x' }] }) });
      body = (await res.json()) as typeof body;
    } finally {
      p.child.kill('SIGTERM');
    }
    assert.equal(await p.exit, 0);
    assert.deepEqual(upstream.requests.map((r) => r.headers.authorization), [], 'the mock at that api_base received no request, so no Authorization header');
    assert.match(p.err(), /warning: model_list\[0\]\.litellm_params\.api_key: environment variable MOCK_KEY is not set: this deployment has no key/);
    assert.equal(res.status, 401);
    assert.match(body.error.message, /api_key is os\.environ\/MOCK_KEY and MOCK_KEY is not set/);
    assert.ok(!p.err().includes('sk-ambient') && !body.error.message.includes('sk-ambient'));
  });

  it('refuses to listen beyond loopback without a master key', async () => {
    const p = run(['proxy', '--config', configPath, '--host', '0.0.0.0', '--port', '0']);
    assert.equal(await p.exit, 1);
    assert.match(p.err(), /Refusing to listen on 0\.0\.0\.0 without a master key/);
  });

  it('names the field of a bad config value', async () => {
    const bad = join(tempDir('cli'), 'bad.yaml');
    writeFileSync(bad, 'model_list:\n  - model_name: x\n    litellm_params:\n      model: openai/gpt-4o\n      rpm: lots\n');
    const p = run(['proxy', '--config', bad, '--port', '0']);
    assert.equal(await p.exit, 1);
    assert.match(p.err(), /model_list\[0\]\.litellm_params\.rpm/);
  });
});
