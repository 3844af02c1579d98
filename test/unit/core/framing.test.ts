import assert from 'node:assert/strict';
import { frameStream } from '../../../src/core/transport/framing';
import type { RawStreamEvent } from '../../../src/core/providers/adapter';
import { collect, splitBytes } from '../helpers/mock-server';

async function* bodyOf(pieces: (string | Buffer)[]): AsyncGenerator<Uint8Array> {
  for (const p of pieces) yield typeof p === 'string' ? new TextEncoder().encode(p) : new Uint8Array(p);
}

const frame = async (pieces: (string | Buffer)[], format: 'sse' | 'ndjson') => (await collect(frameStream(bodyOf(pieces), format, { provider: 'test' }))).flat();

describe('stream framing', () => {
  const sseText = ': keep-alive comment\r\n\r\nevent: message_start\r\ndata: {"a":"héllo 🚀"}\r\n\r\ndata: line one\r\ndata: line two\r\n\r\nevent: ping\ndata: {}\n\ndata: [DONE]\n\n';
  const expected: RawStreamEvent[] = [
    { event: 'message_start', data: '{"a":"héllo 🚀"}' },
    { data: 'line one\nline two' },
    { event: 'ping', data: '{}' },
    { data: '[DONE]' },
  ];

  it('decodes SSE with CRLF, comments, named events and multi-line data', async () => {
    assert.deepEqual(await frame([sseText], 'sse'), expected);
  });

  it('gives the same SSE events for every byte split, including inside multi-byte characters', async () => {
    for (let size = 1; size <= 12; size++) {
      assert.deepEqual(await frame(splitBytes(sseText, size), 'sse'), expected, `split size ${size}`);
    }
  });

  it('keeps a final SSE event that lacks its trailing blank line', async () => {
    assert.deepEqual(await frame(['data: {"x":1}\n\ndata: {"y":2}'], 'sse'), [{ data: '{"x":1}' }, { data: '{"y":2}' }]);
  });

  it('fails loudly on a line that is not SSE (a bare JSON error sent with a 200)', async () => {
    await assert.rejects(frame(['data: {"x":1}\n\n{"error":{"message":"boom"}}\n\n'], 'sse'), (err: Error) => {
      assert.match(err.message, /not Server-Sent Events.*boom/);
      return true;
    });
  });

  const ndText = '{"m":"ä"}\r\n{"m":"日本"}\n\n{"m":"🚀","done":true}';
  it('gives the same NDJSON lines for every byte split, with CRLF, blank lines and no final newline', async () => {
    const want = [{ data: '{"m":"ä"}' }, { data: '{"m":"日本"}' }, { data: '{"m":"🚀","done":true}' }];
    for (let size = 1; size <= 9; size++) assert.deepEqual(await frame(splitBytes(ndText, size), 'ndjson'), want, `split size ${size}`);
  });

  it('times out when a stream goes idle', async () => {
    const body = (async function* () {
      yield new TextEncoder().encode('data: 1\n\n');
      await new Promise(() => undefined); // the provider goes quiet
    })();
    const it = frameStream(body, 'sse', { provider: 'slowpoke', idleTimeoutMs: 50 });
    assert.deepEqual((await it.next()).value, [{ data: '1' }]);
    await assert.rejects(it.next(), (err: { kind?: string; message: string }) => err.kind === 'Timeout' && /slowpoke sent nothing for 50 ms/.test(err.message));
  });

  it('cancels the body when the consumer stops early', async () => {
    let cancelled = false;
    const body = (async function* () {
      try {
        for (;;) yield new TextEncoder().encode('data: x\n\n');
      } finally {
        cancelled = true;
      }
    })();
    for await (const _ of frameStream(body, 'sse', { provider: 'p' })) break;
    assert.equal(cancelled, true);
  });
});
