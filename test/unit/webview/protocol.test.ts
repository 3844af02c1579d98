import assert from 'node:assert/strict';
import { PROTOCOL_VERSION, parseHostMessage, parseWebviewMessage, type HostMessage, type WebviewMessage } from '../../../src/shared/protocol';

describe('webview protocol', () => {
  describe('extension → webview', () => {
    const valid: HostMessage[] = [
      {
        type: 'state', inReplyTo: 'r1', conversations: [{ id: 'c1', title: 'First', updatedAt: 1 }], activeConversationId: 'c1',
        messages: [
          { id: 'u1', role: 'user', text: 'hi', model: 'openai/gpt-4o' },
          { id: 'a1', role: 'assistant', text: 'hello', model: 'ollama_chat/llama3.2', fallback: { requestedModel: 'openai/gpt-4o', reason: 'rate limited' }, usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 }, cost: null, finishReason: 'stop' },
          { id: 'n1', role: 'notice', text: 'Offline: using ollama_chat/llama3.2' },
        ],
        draft: 'half a thought', models: [{ id: 'openai/gpt-4o', missingKey: true }, { id: 'ollama_chat/llama3.2', local: true }], currentModel: 'openai/gpt-4o', offline: null,
      },
      { type: 'models', models: [], currentModel: null },
      { type: 'streamStart', conversationId: 'c1', messageId: 'a2', model: 'anthropic/claude-sonnet-4-5' },
      { type: 'streamStart', conversationId: 'c1', messageId: 'a2', model: 'ollama_chat/llama3.2', fallback: { requestedModel: 'openai/gpt-4o' } },
      { type: 'streamDelta', messageId: 'a2', text: 'Hel' },
      { type: 'streamEnd', messageId: 'a2', usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 }, cost: 0.00042, finishReason: 'stop' },
      { type: 'streamError', message: 'No API key for openai', kind: 'Authentication', actions: ['setKey', 'pickModel'] },
      { type: 'offline', notice: { active: true, model: 'ollama_chat/llama3.2', message: 'Offline: answering with ollama_chat/llama3.2' } },
      { type: 'setDraft', text: '```ts\nx\n```', mode: 'append' },
      { type: 'reply', inReplyTo: 'r2', ok: false, error: 'no such conversation' },
    ];
    for (const message of valid) {
      it(`accepts a valid ${message.type}`, () => {
        const result = parseHostMessage(message);
        assert.equal(result.ok, true, result.ok ? '' : result.error);
      });
    }

    it('rejects a message of unknown type, naming it', () => {
      const result = parseHostMessage({ type: 'evalThis', code: 'alert(1)' });
      assert.equal(result.ok, false);
      assert.match(!result.ok ? result.error : '', /evalThis\.type: unknown message type/);
    });

    it('rejects non-objects', () => {
      for (const raw of [null, undefined, 'streamDelta', 42, []]) {
        const result = parseHostMessage(raw);
        assert.equal(result.ok, false, `accepted ${JSON.stringify(raw)}`);
        assert.match(!result.ok ? result.error : '', /^Invalid message: \(no type\)/);
      }
    });

    it('names the offending field and what was expected', () => {
      const result = parseHostMessage({ type: 'streamDelta', messageId: 'a1', text: 42 });
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.error, 'Invalid message: streamDelta.text: expected string, got number');
    });

    it('names nested fields and enum values', () => {
      const result = parseHostMessage({ type: 'streamError', message: 'x', kind: 'RateLimit', actions: ['runCommand'] });
      assert.equal(result.ok, false);
      assert.match(!result.ok ? result.error : '', /streamError\.actions\.0: expected one of "setKey", "pickModel", "retry"/);
    });

    it('rejects negative token counts and costs', () => {
      const result = parseHostMessage({ type: 'streamEnd', messageId: 'a', usage: { inputTokens: -1, outputTokens: 0, totalTokens: 0 }, cost: -2, finishReason: 'stop' });
      assert.equal(result.ok, false);
      const error = !result.ok ? result.error : '';
      assert.match(error, /streamEnd\.usage\.inputTokens: less than 0/);
      assert.match(error, /streamEnd\.cost: less than 0/);
    });

    it('rejects empty ids and missing required fields', () => {
      const result = parseHostMessage({ type: 'streamStart', conversationId: '', messageId: 'm' });
      assert.equal(result.ok, false);
      const error = !result.ok ? result.error : '';
      assert.match(error, /streamStart\.conversationId: must not be empty/);
      assert.match(error, /streamStart\.model: expected string, got undefined/);
    });

    it('drops unknown extra fields rather than passing them on', () => {
      const result = parseHostMessage({ type: 'streamDelta', messageId: 'a', text: 'x', html: '<img src=x onerror=alert(1)>' });
      assert.equal(result.ok, true);
      assert.deepEqual(result.ok && result.message, { type: 'streamDelta', messageId: 'a', text: 'x' });
    });
  });

  describe('webview → extension', () => {
    const valid: WebviewMessage[] = [
      { type: 'ready', requestId: 'r1', protocolVersion: PROTOCOL_VERSION },
      { type: 'send', requestId: 'r2', messageId: 'local-1', conversationId: null, text: 'Explain this', model: 'openai/gpt-4o' },
      { type: 'stop', messageId: 'a1' },
      { type: 'stop' },
      { type: 'newChat' },
      { type: 'switchConversation', conversationId: 'c2' },
      { type: 'switchModel', model: 'gemini/gemini-2.5-flash' },
      { type: 'retry', messageId: 'a1' },
      { type: 'copyCode', code: 'const x = 1;', language: 'ts' },
      { type: 'insertCode', code: 'x', language: '' },
      { type: 'applyCode', code: 'x', language: 'python' },
      { type: 'openLink', url: 'https://example.com/' },
      { type: 'draftChanged', text: '' },
      { type: 'action', kind: 'setKey' },
    ];
    for (const message of valid) {
      it(`accepts a valid ${message.type}`, () => {
        const result = parseWebviewMessage(message);
        assert.equal(result.ok, true, result.ok ? '' : result.error);
      });
    }

    it('rejects an empty send', () => {
      const result = parseWebviewMessage({ type: 'send', messageId: 'm', conversationId: null, text: '', model: 'openai/gpt-4o' });
      assert.equal(!result.ok && result.error, 'Invalid message: send.text: must not be empty');
    });

    it('rejects an action the host does not offer', () => {
      const result = parseWebviewMessage({ type: 'action', kind: 'runCommand' });
      assert.equal(result.ok, false);
      assert.match(!result.ok ? result.error : '', /action\.kind: expected one of/);
    });

    it('caps text sizes', () => {
      const result = parseWebviewMessage({ type: 'draftChanged', text: 'x'.repeat(1_000_001) });
      assert.equal(!result.ok && result.error, 'Invalid message: draftChanged.text: longer than 1000000 characters');
    });

    it('rejects a ready without a protocol version', () => {
      const result = parseWebviewMessage({ type: 'ready', requestId: 'r1' });
      assert.match(!result.ok ? result.error : '', /ready\.protocolVersion: expected number, got undefined/);
    });
  });
});
