import assert from 'node:assert/strict';
import { estimateTextTokens, estimateTokens } from '../../../src/extension/lm/tokens';

/** A request message as VS Code hands it to a provider (parts are plain objects across the API). */
const message = (...content: unknown[]) => ({ role: 1, name: undefined, content }) as unknown as Parameters<typeof estimateTokens>[0];

describe('token estimates for VS Code chat (lm/tokens)', () => {
  it('counts short words as one token each and punctuation apart, as BPE tokenizers split them', () => {
    // OpenAI's tokenizers give "Hello world" 2 tokens and "Hello world. " 3 (https://platform.openai.com/tokenizer).
    assert.equal(estimateTextTokens('Hello world', 'openai'), 2);
    assert.equal(estimateTextTokens('Hello world. '.repeat(100), 'openai'), 300);
  });

  it('splits long identifiers by length (fewer letters per token for Anthropic), digits in threes, CJK per character', () => {
    assert.equal(estimateTextTokens('provideLanguageModelChatInformation', 'openai'), 9);
    assert.equal(estimateTextTokens('provideLanguageModelChatInformation', 'anthropic'), 10);
    assert.equal(estimateTextTokens('1234567', 'openai'), 3);
    assert.equal(estimateTextTokens('日本語', 'gemini'), 3);
    assert.equal(estimateTextTokens('', 'openai'), 0);
  });

  it('counts a message\'s parts: text, tool calls, tool results, and an image at the family\'s image cost without reading it', () => {
    const image = { mimeType: 'image/png', data: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) };
    assert.equal(estimateTokens(message({ value: 'Look' }, image), 'gemini'), 4 + 1 + 258);
    assert.equal(estimateTokens(message(image), 'anthropic'), 4 + 1600);
    const call = { callId: 'c1', name: 'get_weather', input: { location: 'Paris' } };
    const result = { callId: 'c1', content: [{ value: 'Sunny' }] };
    assert.ok(estimateTokens(message(call, result), 'openai') > estimateTokens(message(), 'openai'));
    // Unknown parts (a cache hint, a number) cost nothing and never throw.
    assert.equal(estimateTokens(message({ mimeType: 'cache_control', data: new Uint8Array([1]) }, 42, null), 'openai'), 4);
  });
});
