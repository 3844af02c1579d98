/**
 * The offline switch in a real VS Code window, on the networks people actually lose: the offline
 * model set as `ollama list` shows it (a bare `llama3.2`, while Ollama reports `llama3.2:latest`),
 * a cloud that refuses connections, a cloud that accepts them and never answers (a captive portal,
 * a blackholed route), and the cloud coming back. The switch must show within ~10 s of sending.
 *
 * The cloud is an OpenAI mock behind a TCP front on a fixed loopback port: not listening (refused),
 * listening and holding every connection without a byte (silent), or passing connections through
 * (answering). Screenshots: test-results/screenshots/ui-3*.png.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Frame } from 'playwright-core';
import { freePort } from '../../scripts/vscode/server';
import { startOllamaMock } from '../unit/mocks/ollama';
import { startOpenAIMock } from '../unit/mocks/openai';
import { text, uiSuite } from './suite';

const KEY = 'sk-ui-offline-5c2e';
/** What Ollama's /api/tags reports for the bare `llama3.2` the setting names. */
const LOCAL = 'ollama_chat/llama3.2:latest';
/** The bound: the switch shows within ~10 s of sending (8 s by design with the defaults). */
const SWITCH_WITHIN_MS = 10_000;

/** The cloud's network: refused (nothing listens), silent (accepted, never answered) or answering. */
class CloudFront {
  private server: net.Server | undefined;
  private mode: 'silent' | 'answer' = 'answer';
  private readonly held = new Set<net.Socket>();
  /** Connections passed through to the mock, with their upstream side. */
  private readonly passing = new Map<net.Socket, net.Socket>();
  connections = 0;

  constructor(readonly port: number, private readonly upstreamPort: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  refuse(): Promise<void> {
    for (const s of this.held) s.destroy();
    this.held.clear();
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  /**
   * New connections are held without a byte, and so are the kept-alive ones already open: a dead
   * route answers nothing on any connection (the client's keep-alive socket must not get through).
   */
  async silent(): Promise<void> {
    this.mode = 'silent';
    for (const [socket, upstream] of this.passing) {
      socket.unpipe(upstream);
      upstream.unpipe(socket);
      upstream.destroy();
      this.hold(socket);
    }
    this.passing.clear();
    await this.listen();
  }

  private hold(socket: net.Socket): void {
    this.held.add(socket); // accepted, never read, never answered
    socket.on('close', () => this.held.delete(socket));
  }

  /** The suite's cleanup closes it like a mock. */
  close(): Promise<void> {
    return this.refuse();
  }

  async answer(): Promise<void> {
    this.mode = 'answer';
    for (const s of this.held) s.destroy();
    this.held.clear();
    await this.listen();
  }

  private async listen(): Promise<void> {
    if (this.server) return;
    const server = net.createServer({ pauseOnConnect: true }, (socket) => {
      this.connections++;
      socket.on('error', () => undefined);
      if (this.mode === 'silent') {
        this.hold(socket);
        return;
      }
      const upstream = net.connect(this.upstreamPort, '127.0.0.1');
      this.passing.set(socket, upstream);
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => { this.passing.delete(socket); upstream.destroy(); });
      socket.pipe(upstream).pipe(socket);
      socket.resume();
    });
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(this.port, '127.0.0.1', resolve); });
    this.server = server;
  }
}

describe('UI: the offline switch on a lost network', function () {
  this.timeout(180_000);
  const ui = uiSuite({
    name: 'offline',
    mocks: async () => {
      const [openai, ollama] = await Promise.all([startOpenAIMock({ apiKey: KEY }), startOllamaMock()]);
      const front = new CloudFront(await freePort(), Number(new URL(openai.url).port));
      await front.answer();
      return { openai, ollama, front };
    },
    workspaceSettings: '// This suite sets the models in user settings; a workspace value would shadow them.\n{}\n',
    settings: ({ ollama, front }) => ({
      'anymodel.models': [{ model_name: 'cloud', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${front.url}/v1`, api_key: 'os.environ/OPENAI_API_KEY' } }],
      'anymodel.defaultModel': 'cloud',
      'anymodel.ollamaBaseUrl': ollama.url,
      'anymodel.offlineModel': 'llama3.2',
      'anymodel.offlineRecheckSeconds': 1,
      // The connect and first-byte timeouts keep their defaults: the bound is on what users get.
    }),
    ready: async ({ wb }) => {
      await wb.setApiKey('openai', KEY);
      await wb.runCommand('AnyModel: Open Chat');
      await wb.readyChat();
    },
  });
  const { wb } = ui;
  const chat = (): Promise<Frame> => wb.chatFrame();
  const lastAnswer = async () => (await chat()).locator('article.message-assistant').last();
  /** Types `value` into a text setting in the Settings editor, as a person does. */
  const setTextSetting = async (id: string, value: string) => {
    await wb.runExactCommand('Preferences: Open User Settings');
    const editor = wb.page.locator('.settings-editor');
    await editor.waitFor({ state: 'visible', timeout: 20_000 });
    await wb.page.keyboard.type(id, { delay: 10 });
    const input = editor.locator('.setting-item-text input').first();
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    // The Settings editor writes as you type, but a re-render right after the search (the list
    // filling in on a busy machine) can put the stored value back: type again until it stays.
    const deadline = Date.now() + 30_000;
    for (;;) {
      await input.fill(value);
      await input.press('Tab');
      // Still there a second later: the re-render, if any, has happened.
      let kept = true;
      for (const until = Date.now() + 1_000; kept && Date.now() < until;) {
        kept = await input.inputValue() === value;
        await wb.page.waitForTimeout(100); // a poll interval, bounded by `until`
      }
      if (kept) return;
      if (Date.now() > deadline) assert.fail(`the Settings editor kept ${id} at "${await input.inputValue()}" instead of "${value}"`);
    }
  };
  const chatRequests = () => ui.mocks.ollama.requests.filter((r) => r.url === '/api/chat');

  /** Sends `question` and waits for the offline notice and the local, labelled answer; returns ms from Enter to the notice. */
  const expectLocalAnswer = async (question: string): Promise<number> => {
    const panel = await chat();
    const notices = await panel.locator('.notice-offline').count();
    const localBefore = chatRequests().length;
    await wb.sendInChat(question);
    const sent = Date.now();
    await panel.locator('.notice-offline').nth(notices).waitFor({ state: 'visible', timeout: 60_000 });
    const ms = Date.now() - sent;
    const answer = await lastAnswer();
    await answer.getByText(`Hello from ollama: ${question}`).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await text(answer.locator('.message-model')), LOCAL, 'the bare llama3.2 of the setting became the pulled tag');
    assert.equal(await text(answer.locator('.badge-fallback')), 'fallback for cloud');
    assert.equal(await text(panel.locator('.badge-offline')), `offline: ${LOCAL}`);
    await wb.modelStatusItem().filter({ hasText: 'offline' }).waitFor({ timeout: 10_000 });
    assert.equal(await wb.modelStatusText(), `${LOCAL} · offline`);
    const asked = chatRequests().slice(localBefore);
    assert.equal(asked.length, 1, 'Ollama was asked once');
    assert.equal((asked[0]!.body as { model?: string }).model, 'llama3.2:latest', 'with the tag it reported');
    return ms;
  };

  /** The cloud answers again: the recheck notices, and the next message goes to the cloud. */
  const expectBackOnline = async (question: string): Promise<void> => {
    await ui.mocks.front.answer();
    const panel = await chat();
    await wb.modelStatusItem().filter({ hasNotText: 'offline' }).waitFor({ timeout: 30_000 });
    assert.equal(await wb.modelStatusText(), 'cloud');
    await panel.locator('.notice', { hasText: 'cloud is reachable again' }).last().waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok(await panel.locator('.badge-offline').isHidden());
    const cloudBefore = ui.mocks.openai.requests.filter((r) => r.method === 'POST').length;
    await wb.sendInChat(question);
    const back = await lastAnswer();
    await back.getByText(`Hello from openai: ${question}`).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await text(back.locator('.message-model')), 'cloud');
    assert.equal(await back.locator('.badge-fallback').count(), 0);
    assert.equal(ui.mocks.openai.requests.filter((r) => r.method === 'POST').length, cloudBefore + 1, 'the cloud was asked');
  };

  it('the cloud refusing connections: the pulled llama3.2:latest answers, labelled, and the cloud takes over again once it answers', async () => {
    await ui.mocks.front.refuse();
    const ms = await expectLocalAnswer('Anyone home?');
    console.log(`      refused: offline notice ${ms} ms after sending`);
    assert.ok(ms < SWITCH_WITHIN_MS, `the switch showed after ${ms} ms`);
    await wb.screenshot('ui-30-offline-refused');
    await expectBackOnline('Back?');
    await wb.screenshot('ui-31-back-online-after-refused');
  });

  it('the cloud accepting and never answering: the switch shows within 10 s, then back when it answers', async () => {
    await ui.mocks.front.silent();
    const before = ui.mocks.front.connections;
    const ms = await expectLocalAnswer('Is this a captive portal?');
    console.log(`      silent: offline notice ${ms} ms after sending`);
    assert.ok(ui.mocks.front.connections > before, 'the request (and the check) reached the silent cloud');
    assert.ok(ms < SWITCH_WITHIN_MS, `the switch showed after ${ms} ms (bound ${SWITCH_WITHIN_MS} ms)`);
    assert.match(await text((await chat()).locator('.notice-offline').last()), /^cloud is unreachable \(no response within 4 s, and its server does not answer\)\. Answering with ollama_chat\/llama3\.2:latest until it is back\.$/);
    await wb.screenshot('ui-32-offline-silent-light');
    await wb.colorTheme('Dark Modern');
    await wb.screenshot('ui-33-offline-silent-dark');
    await expectBackOnline('And now?');
    await wb.screenshot('ui-34-back-online-after-silent');
  });

  it('an offlineModel that names no pulled model is a warning naming the tags that exist', async () => {
    await setTextSetting('anymodel.offlineModel', 'llama3.3');
    await wb.announcement('"llama3.3" is not a model the local Ollama').waitFor({ state: 'attached', timeout: 20_000 });
    const line = await text(wb.announcement('"llama3.3" is not a model the local Ollama'));
    assert.match(line, /it has llama3\.2:latest, nomic-embed-text:latest\. Pull it \(ollama pull llama3\.3\) or set one of those\./);
    // This web workbench announces notifications without drawing a toast: the bell opens the list.
    await wb.page.locator('.part.statusbar').getByRole('button', { name: /notification/i }).first().click();
    await wb.page.locator('.notifications-center').getByText('"llama3.3" is not a model the local Ollama', { exact: false }).waitFor({ state: 'visible', timeout: 10_000 });
    await wb.screenshot('ui-35-offline-model-warning');
    await wb.colorTheme('Light Modern');
  });
});
