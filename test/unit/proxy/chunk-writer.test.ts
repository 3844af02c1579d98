import assert from 'node:assert/strict';
import { ChunkWriter } from '../../../src/proxy/openai-format';
import type { StreamPart } from '../../../src/core';

/** What `sse` must equal: every chunk of the part serialised whole. */
function slow(writer: ChunkWriter, part: StreamPart): string {
  return writer.chunks(part).map((c) => `data: ${JSON.stringify(c)}\n\n`).join('');
}

const usage = { inputTokens: 3, outputTokens: 4, totalTokens: 7 };
const texts = ['Hello', ' "quoted"', ' back\\slash', ' line\nbreak', ' \u2028 sep', ' émoji 🎉', '', ' tab\there', ' </script>'];

describe('ChunkWriter.sse', () => {
  for (const kind of ['chat', 'text'] as const) {
    it(`gives the same bytes as serialising each ${kind} chunk, for text with escapes`, () => {
      const parts: StreamPart[] = [
        { type: 'response-metadata', id: 'chatcmpl-up"stream' },
        ...texts.map((text): StreamPart => ({ type: 'text-delta', text })),
        { type: 'reasoning-delta', text: 'hmm' },
        { type: 'text-delta', text: 'after reasoning' },
        { type: 'finish', finishReason: 'stop', usage },
      ];
      const fast = new ChunkWriter('group/"model"', kind);
      const reference = new ChunkWriter('group/"model"', kind);
      // Same id and creation second for both, whatever the clock did between them.
      Object.assign(reference, { created: (fast as unknown as { created: number }).created });
      const got = parts.map((p) => fast.sse(p)).join('');
      const want = parts.map((p) => slow(reference, p)).join('');
      assert.equal(got, want);
      // Every event is a chunk a JSON parser reads back with the text it was given.
      const events = got.split('\n\n').filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, '')) as { id: string; choices: { delta?: { content?: string }; text?: string }[] });
      const sent = events.map((e) => e.choices[0]?.delta?.content ?? e.choices[0]?.text).filter((t) => t !== undefined && t !== '');
      assert.deepEqual(sent, [...texts.filter(Boolean), 'after reasoning']);
      assert.ok(events.every((e) => e.id === 'chatcmpl-up"stream'));
    });
  }

  it('takes an id that arrives after a text chunk of a completion into the later frames', () => {
    const writer = new ChunkWriter('m', 'text', 'first-id');
    writer.sse({ type: 'text-delta', text: 'a' });
    writer.sse({ type: 'response-metadata', id: 'second-id' });
    const event = JSON.parse(writer.sse({ type: 'text-delta', text: 'b' }).replace(/^data: /, '')) as { id: string; choices: { text: string }[] };
    assert.equal(event.id, 'second-id');
    assert.equal(event.choices[0]!.text, 'b');
  });
});
