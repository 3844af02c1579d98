/**
 * AnyModel's models in VS Code's own language model API, inside the real extension host: what
 * another extension (or VS Code's Chat view) gets from `vscode.lm.selectChatModels({ vendor:
 * 'anymodel' })` and `sendRequest`, against mock providers on 127.0.0.1 speaking each provider's
 * wire format. Every request goes through the same catalog, client and offline switch as the panel.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';
import { startOpenAIMock } from '../unit/mocks/openai';
import { startAnthropicMock } from '../unit/mocks/anthropic';
import { startGeminiMock } from '../unit/mocks/gemini';
import { startOllamaMock } from '../unit/mocks/ollama';
import type { MockServer } from '../unit/helpers/mock-server';
import type { Services } from '../../src/extension/services';
import { anyModelExtension, resetUserSetting, waitFor } from './helpers';

const KEY = 'test-key';
const G = vscode.ConfigurationTarget.Global;
// A 1×1 PNG: the mocks check an image's bytes against its media type, as the real APIs do.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const WEATHER: vscode.LanguageModelChatTool = {
  name: 'get_weather',
  description: 'The weather now at a place',
  inputSchema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};

/** LanguageModelDataPart is final after 1.104 (engines.vscode); VS Code 1.139 has it at runtime. */
const DataPart = (vscode as unknown as { LanguageModelDataPart: { image(data: Uint8Array, mimeType: string): unknown } }).LanguageModelDataPart;

describe('VS Code language models (extension host, mock providers)', function () {
  this.timeout(60_000);
  let openai: MockServer;
  let anthropic: MockServer;
  let gemini: MockServer;
  let ollama: MockServer;
  let slow: MockServer;
  let down: MockServer;
  let services: Services;
  let previousModels: unknown;
  const config = () => vscode.workspace.getConfiguration('anymodel');

  before(async () => {
    [openai, anthropic, gemini, ollama, slow, down] = await Promise.all([
      startOpenAIMock({ apiKey: KEY }), startAnthropicMock({ apiKey: KEY }), startGeminiMock({ apiKey: KEY }), startOllamaMock(),
      startOpenAIMock({ apiKey: KEY }), startOpenAIMock({ apiKey: KEY }),
    ]);
    services = await (await anyModelExtension().activate()).services();
    for (const name of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY']) await services.testing.storeKey(name, KEY);
    previousModels = config().inspect('models')?.workspaceValue;
    await config().update('models', [
      { model_name: 'lm-openai', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${openai.url}/v1`, api_key: 'os.environ/OPENAI_API_KEY' } },
      { model_name: 'lm-anthropic', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: anthropic.url, api_key: 'os.environ/ANTHROPIC_API_KEY' } },
      { model_name: 'lm-gemini', litellm_params: { model: 'gemini/gemini-2.5-flash', api_base: gemini.url, api_key: 'os.environ/GEMINI_API_KEY' } },
      { model_name: 'lm-plain', litellm_params: { model: 'openai/plain-text-model', api_base: `${openai.url}/v1`, api_key: 'os.environ/OPENAI_API_KEY' }, model_info: { supports_function_calling: false, supports_vision: false, max_input_tokens: 16_000 } },
      { model_name: 'lm-nokey', litellm_params: { model: 'together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo', api_base: `${openai.url}/v1` } },
      { model_name: 'lm-slow', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${slow.url}/v1`, api_key: 'os.environ/OPENAI_API_KEY' } },
      { model_name: 'lm-down', litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${down.url}/v1`, api_key: 'os.environ/OPENAI_API_KEY' } },
    ], vscode.ConfigurationTarget.Workspace);
    await config().update('ollamaBaseUrl', ollama.url, G);
    await config().update('offlineRecheckSeconds', 1, G);
    await services.testing.refreshModels();
  });

  after(async () => {
    await config().update('models', previousModels, vscode.ConfigurationTarget.Workspace);
    for (const key of ['ollamaBaseUrl', 'offlineRecheckSeconds']) await resetUserSetting(key);
    await Promise.all([openai, anthropic, gemini, ollama, slow, down].map((m) => m.close()));
  });

  /** The model as another extension gets it, once VS Code has heard of the new list. */
  const model = (id: string) => waitFor(async () => (await vscode.lm.selectChatModels({ vendor: 'anymodel', id }))[0], `model ${id} in vscode.lm`);

  const ask = async (id: string, messages: vscode.LanguageModelChatMessage[], options: vscode.LanguageModelChatRequestOptions = {}) => {
    const response = await (await model(id)).sendRequest(messages, options);
    const text: string[] = [];
    const calls: vscode.LanguageModelToolCallPart[] = [];
    for await (const part of response.stream) {
      if (part instanceof vscode.LanguageModelTextPart) text.push(part.value);
      else if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
    }
    return { text: text.join(''), pieces: text.length, calls };
  };

  const logText = () => fs.readFileSync(vscode.Uri.joinPath(services.testing.logUri, 'AnyModel.log').fsPath, 'utf8');

  it('lists every configured model under the anymodel vendor, with capabilities from the adapters and model_info', async () => {
    const all = await waitFor(async () => {
      const models = await vscode.lm.selectChatModels({ vendor: 'anymodel' });
      return models.some((m) => m.id === 'lm-down') && models.some((m) => m.id.startsWith('ollama_chat/')) && models;
    }, 'the configured and discovered models');
    const ids = all.map((m) => m.id);
    for (const id of ['lm-openai', 'lm-anthropic', 'lm-gemini', 'lm-plain', 'lm-nokey', 'ollama_chat/llama3.2:latest']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    const plain = all.find((m) => m.id === 'lm-plain')!;
    assert.equal(plain.vendor, 'anymodel');
    assert.equal(plain.maxInputTokens, 16_000 - 4_096, 'the context window from model_info, less the output reserve');
    // The capabilities VS Code got (its LanguageModelChat does not expose them, so ask the provider as VS Code does).
    const infos = await services.lm.provideLanguageModelChatInformation({ silent: true });
    const caps = (id: string) => infos.find((i) => i.id === id)?.capabilities;
    assert.deepEqual(caps('lm-anthropic'), { toolCalling: true, imageInput: true });
    assert.deepEqual(caps('lm-plain'), { toolCalling: false, imageInput: false });
    const nokey = infos.find((i) => i.id === 'lm-nokey')!;
    assert.match(nokey.detail ?? '', /Set API Key/);
    assert.match(infos.find((i) => i.id === 'ollama_chat/llama3.2:latest')?.tooltip ?? '', /local, free/);
  });

  for (const [id, family, mock] of [
    ['lm-openai', 'openai', () => openai], ['lm-anthropic', 'anthropic', () => anthropic], ['lm-gemini', 'gemini', () => gemini], ['ollama_chat/llama3.2:latest', 'ollama', () => ollama],
  ] as const) {
    it(`streams an answer from ${family} through sendRequest, with one cost line in the AnyModel log`, async () => {
      const before = mock().requests.length;
      const answer = await ask(id, [vscode.LanguageModelChatMessage.User(`Hello ${family}`)], { modelOptions: { temperature: 0.5, not_a_real_option: 1 } });
      assert.equal(answer.text, `Hello from ${family}: Hello ${family}`);
      assert.ok(answer.pieces >= 2, 'streamed in several parts');
      // Ollama is first asked for the model's context length (/api/show); the chat request comes after it.
      const sent = mock().requests.slice(before).find((r) => r.method === 'POST' && !r.url.startsWith('/api/show'))!;
      assert.ok(sent, 'the mock got the request');
      const body = sent.body as Record<string, unknown>;
      const temperature = family === 'gemini' ? (body.generationConfig as { temperature?: number }).temperature : family === 'ollama' ? (body.options as { temperature?: number }).temperature : body.temperature;
      assert.equal(temperature, 0.5, 'modelOptions.temperature reached the provider');
      assert.ok(!JSON.stringify(body).includes('not_a_real_option'), 'an unknown option is dropped');
      const line = await waitFor(async () => logText().split('\n').filter((l) => l.includes(`request ${id} →`)).at(-1), 'the usage line');
      assert.match(line, /11 in \/ 7 out tokens · \$/);
      assert.match(logText(), /modelOptions\.not_a_real_option dropped/);
    });
  }

  for (const family of ['anthropic', 'gemini'] as const) {
    it(`runs a tool call round trip through ${family}: tool call part out, tool result part in, final text`, async () => {
      const mock = family === 'anthropic' ? anthropic : gemini;
      const question = vscode.LanguageModelChatMessage.User('What is the weather in Paris?');
      const first = await ask(`lm-${family}`, [question], { tools: [WEATHER] });
      assert.equal(first.calls.length, 1, JSON.stringify(first));
      const call = first.calls[0]!;
      assert.equal(call.name, 'get_weather');
      assert.deepEqual(call.input, { location: 'Paris' });
      const offered = mock.requests.at(-1)!.body as Record<string, unknown>;
      if (family === 'anthropic') assert.deepEqual((offered.tools as { name: string; input_schema: unknown }[]).map((t) => [t.name, t.input_schema]), [['get_weather', WEATHER.inputSchema]]);
      else assert.deepEqual((offered.tools as { functionDeclarations: { name: string }[] }[])[0]!.functionDeclarations.map((f) => f.name), ['get_weather']);

      const second = await ask(`lm-${family}`, [
        question,
        vscode.LanguageModelChatMessage.Assistant([call]),
        vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, [new vscode.LanguageModelTextPart('Sunny, 21 °C')])]),
      ], { tools: [WEATHER] });
      assert.equal(second.text, 'Tool said: Sunny, 21 °C');
      const body = mock.requests.at(-1)!.body as Record<string, unknown>;
      if (family === 'anthropic') {
        const messages = body.messages as { role: string; content: { type: string; id?: string; tool_use_id?: string; input?: unknown; content?: unknown }[] }[];
        assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant', 'user']);
        const use = messages[1]!.content.find((b) => b.type === 'tool_use')!;
        assert.equal(use.id, call.callId);
        assert.deepEqual(use.input, { location: 'Paris' });
        const result = messages[2]!.content[0]!;
        assert.equal(result.type, 'tool_result');
        assert.equal(result.tool_use_id, call.callId);
        assert.match(JSON.stringify(result.content), /Sunny, 21 °C/);
      } else {
        const contents = body.contents as { role: string; parts: { functionCall?: { name: string; args: unknown }; functionResponse?: { name: string; response: unknown } }[] }[];
        assert.deepEqual(contents.map((c) => c.role), ['user', 'model', 'user']);
        assert.deepEqual(contents[1]!.parts[0]!.functionCall, { name: 'get_weather', args: { location: 'Paris' } });
        assert.equal(contents[2]!.parts[0]!.functionResponse?.name, 'get_weather');
        assert.match(JSON.stringify(contents[2]!.parts[0]!.functionResponse?.response), /Sunny, 21 °C/);
      }
    });
  }

  it('sends an image data part to a vision model as the provider\'s image block', async () => {
    const answer = await ask('lm-anthropic', [vscode.LanguageModelChatMessage.User([
      new vscode.LanguageModelTextPart('What is in this picture?'),
      DataPart.image(PNG, 'image/png') as vscode.LanguageModelTextPart,
    ])]);
    assert.equal(answer.text, 'I see 1 image(s): image/png');
    const body = anthropic.requests.at(-1)!.body as { messages: { content: { type: string; source?: { type: string; media_type: string; data: string } }[] }[] };
    const image = body.messages[0]!.content.find((b) => b.type === 'image')!;
    assert.deepEqual(image.source, { type: 'base64', media_type: 'image/png', data: PNG.toString('base64') });
  });

  it('leads the user there from a walkthrough step that runs the registered guide command and ships its page', async () => {
    type Step = { title: string; description: string; media: { markdown?: string }; completionEvents?: string[] };
    const walkthroughs = (anyModelExtension().packageJSON as { contributes: { walkthroughs?: { id: string; steps: Step[] }[] } }).contributes.walkthroughs ?? [];
    const step = walkthroughs.flatMap((w) => w.steps).find((s) => s.title === 'Use AnyModel models in VS Code Chat');
    assert.ok(step, `a walkthrough step for VS Code Chat among ${walkthroughs.map((w) => w.id).join(', ') || 'no walkthroughs'}`);
    const linked = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
    assert.deepEqual(linked, ['anymodel.useInVSCodeChat']);
    assert.ok((await vscode.commands.getCommands(true)).includes('anymodel.useInVSCodeChat'), 'the step\'s command is registered');
    assert.deepEqual(step.completionEvents, ['onCommand:anymodel.useInVSCodeChat']);
    const page = vscode.Uri.joinPath(anyModelExtension().extensionUri, step.media.markdown ?? '(no markdown)').fsPath;
    assert.match(fs.readFileSync(page, 'utf8'), /Chat: Manage Language Models/);
  });

  it('counts tokens for text and for a message with an image, without calling the provider', async () => {
    const m = await model('lm-anthropic');
    const before = anthropic.requests.length;
    const short = await m.countTokens('Hello world');
    const long = await m.countTokens('Hello world. '.repeat(100));
    assert.ok(short >= 2 && short <= 4, `"Hello world" is ${short} tokens`);
    assert.ok(long > 250 && long < 500, `100 × "Hello world. " is ${long} tokens`);
    const withImage = await m.countTokens(vscode.LanguageModelChatMessage.User([new vscode.LanguageModelTextPart('Look'), DataPart.image(PNG, 'image/png') as vscode.LanguageModelTextPart]));
    assert.ok(withImage > 1000, `an image costs Anthropic about 1,600 tokens, counted ${withImage}`);
    assert.equal(anthropic.requests.length, before);
  });

  it('cancelling the request closes the upstream connection', async () => {
    slow.handle(() => ({ kind: 'raw', contentType: 'text/event-stream', pieces: ['data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"slow "},"finish_reason":null}]}\n\n'], hang: true }));
    const aborted = slow.nextClientAbort();
    const cts = new vscode.CancellationTokenSource();
    const response = await (await model('lm-slow')).sendRequest([vscode.LanguageModelChatMessage.User('Take your time')], {}, cts.token);
    const parts: string[] = [];
    const reading = (async () => { for await (const p of response.text) { parts.push(p); } })().catch(() => undefined);
    await waitFor(() => parts.length > 0, 'the first part', 15_000);
    assert.equal(parts[0], 'slow ');
    cts.cancel();
    await Promise.race([aborted, new Promise((_, reject) => setTimeout(() => reject(new Error('the upstream connection stayed open after cancel')), 15_000))]);
    await reading;
  });

  it('a model without its key fails with a LanguageModelError saying how to set the key, and sends nothing', async () => {
    const before = openai.requests.length;
    const error = await ask('lm-nokey', [vscode.LanguageModelChatMessage.User('Hi')]).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof vscode.LanguageModelError, `a LanguageModelError, got ${String(error)}`);
    assert.equal(error.code, vscode.LanguageModelError.NoPermissions.name);
    assert.match(error.message, /No API key for together_ai .*"AnyModel: Set API Key"/);
    assert.equal(openai.requests.length, before, 'nothing was sent without the key');
  });

  it('an unreachable cloud model answers from the local Ollama model (the offline switch), and switches back', async () => {
    down.handle(() => ({ kind: 'drop' }));
    const before = ollama.requests.length;
    const answer = await ask('lm-down', [vscode.LanguageModelChatMessage.User('Anyone home?')]);
    assert.equal(answer.text, 'Hello from ollama: Anyone home?');
    assert.ok(ollama.requests.slice(before).some((r) => r.url === '/api/chat'));
    assert.equal(anyModelExtension().exports.statusBar().offlineModel, 'ollama_chat/llama3.2:latest');
    assert.match(logText(), /lm-down is unreachable .*Answering with ollama_chat\/llama3\.2:latest/);
    down.handle(() => ({ kind: 'json', status: 404, body: { error: { message: 'not here' } } }));
    await waitFor(() => anyModelExtension().exports.statusBar().offlineModel === undefined, 'the switch back', 15_000);
  });
});
