/** The context meter (src/shared/meter.ts): what it counts, when it warns, and what it says. */
import assert from 'node:assert/strict';
import { compact, contextMeter, draftTokens } from '../../../src/shared/meter';

const usage = (historyTokens: number, attachmentTokens: number, contextWindow: number | null) => ({ model: 'cloud', historyTokens, attachmentTokens, contextWindow, vision: true });

describe('context meter', () => {
  it('counts conversation, attachments and draft against the window', () => {
    const m = contextMeter(usage(1000, 500, 128_000), 'x'.repeat(400));
    assert.equal(m.used, 1000 + 500 + 102);
    assert.equal(m.level, 'ok');
    assert.equal(m.label, '1.6K / 128K tokens (1 %)');
    assert.match(m.detail, /^About 1,602 of the 128,000 tokens cloud holds \(1 %: conversation 1,000, attachments 500, draft 102\)\.$/);
  });

  it('warns from 80 % and says a send would not fit past 100 %', () => {
    assert.equal(contextMeter(usage(7_000, 0, 10_000), '').level, 'ok');
    const near = contextMeter(usage(7_000, 1_000, 10_000), '');
    assert.equal(near.level, 'warning');
    assert.match(near.detail, /The window is nearly full\.$/);
    const over = contextMeter(usage(9_000, 1_500, 10_000), 'why?');
    assert.equal(over.level, 'over');
    assert.match(over.detail, /^About 10,503 tokens \(conversation 9,000, attachments 1,500, draft 3\) do not fit the 10,000-token context window of cloud\.$/);
  });

  it('says so when the window is unknown, without a percentage', () => {
    const m = contextMeter(usage(50, 0, null), '');
    assert.equal(m.level, 'unknown');
    assert.equal(m.ratio, null);
    assert.equal(m.label, '50 tokens');
  });

  it('writes counts compactly', () => {
    assert.deepEqual([950, 1000, 1234, 12_345, 32_768, 128_000, 1_000_000, 2_500_000].map(compact), ['950', '1K', '1.2K', '12K', '32K', '128K', '1M', '2.5M']);
    assert.equal(draftTokens(''), 0);
  });
});
