import assert from 'node:assert/strict';
import { StreamingMarkdown, renderFinishedMarkdown } from '../../../src/webview/streaming';
import { ManualFrames, useDom } from './dom-env';

/** A realistic answer: every block kind the renderer handles, with awkward boundaries. */
const ANSWER = [
  '# Fixing the retry loop',
  'The router is the **only** retry loop. Here is why:\nthe transport used to retry too.',
  '- first point\n- second point\n\n- loose item after a blank line\n  continued',
  '1. one\n2. two',
  'Setext heading\n==============',
  '> quoted\n> twice',
  '| status | retry |\n|---|:-:|\n| 429 | yes |\n| 400 | no |',
  '```ts\nexport function backoff(attempt: number): number {\n\n  return Math.min(30_000, 2 ** attempt * 250);\n}\n```',
  '    indented code\n\n    after a blank line',
  'A paragraph with a [link](https://example.com) and `inline code`.',
  '***',
  'Last words, no trailing newline',
].join('\n\n');

function chunks(text: string, sizes: number[]): string[] {
  const out: string[] = [];
  let i = 0;
  let k = 0;
  while (i < text.length) {
    const size = sizes[k++ % sizes.length]!;
    out.push(text.slice(i, i + size));
    i += size;
  }
  return out;
}

describe('streaming markdown', () => {
  useDom();

  function stream(text: string, sizes: number[], frames = new ManualFrames()): StreamingMarkdown {
    const s = new StreamingMarkdown(frames);
    document.body.replaceChildren(s.element);
    for (const chunk of chunks(text, sizes)) {
      s.append(chunk);
      frames.flush();
    }
    s.finish();
    return s;
  }

  it('ends with the same DOM as rendering the whole answer at once, whatever the chunking', function () {
    this.timeout(30_000); // jsdom's DOMPurify costs ~1 ms a frame; a browser does it in a tenth
    const expected = renderFinishedMarkdown(ANSWER).innerHTML;
    for (const sizes of [[1], [2, 3], [7], [13, 1, 40], [64], [ANSWER.length]]) {
      assert.equal(stream(ANSWER, sizes).element.innerHTML, expected, `chunk sizes ${sizes.join(',')}`);
    }
  });

  it('resolves reference-style links defined after kept blocks, even when a chunk cut the definition', function () {
    this.timeout(30_000);
    const answer = 'See [the docs][1] and ![chart][img].\n\nMore text.\n\n[1]: https://example.com/docs\n[img]: https://example.com/chart.png';
    const expected = renderFinishedMarkdown(answer).innerHTML;
    assert.match(expected, /href="https:\/\/example.com\/docs"/);
    for (const sizes of [[1], [5], [answer.indexOf('https') + 5, 200], [answer.length]]) {
      assert.equal(stream(answer, sizes).element.innerHTML, expected, `chunk sizes ${sizes.join(',')}`);
    }
  });

  it('handles \\r\\n split across deltas like \\n', function () {
    this.timeout(30_000);
    const crlf = ANSWER.replace(/\n/g, '\r\n');
    const expected = renderFinishedMarkdown(ANSWER).innerHTML;
    for (const sizes of [[1], [4, 5]]) {
      assert.equal(stream(crlf, sizes).element.innerHTML, expected, `chunk sizes ${sizes.join(',')}`);
    }
  });

  it('keeps finished blocks: the same nodes survive later deltas', () => {
    const frames = new ManualFrames();
    const s = new StreamingMarkdown(frames);
    document.body.replaceChildren(s.element);
    s.append('# Title\n\nFirst paragraph.\n\nSecond');
    frames.flush();
    const heading = s.element.querySelector('h1');
    const first = Array.from(s.element.querySelectorAll('p')).find((p) => p.textContent === 'First paragraph.');
    assert.ok(heading && first);
    for (const delta of [' paragraph', ' grows', '.\n\n```js\nlet x', ' = 1;\n```\n\nEnd.']) {
      s.append(delta);
      frames.flush();
      assert.ok(heading.isConnected && first.isConnected, `kept blocks replaced after ${JSON.stringify(delta)}`);
    }
    s.finish();
    assert.equal(s.element.querySelector('h1'), heading);
    assert.ok(first.isConnected);
    assert.equal(s.element.querySelectorAll('.md-open').length, 0, 'the open slot is gone at the end');
  });

  it('re-renders only the open block, and batches deltas into one frame', () => {
    const frames = new ManualFrames();
    const s = new StreamingMarkdown(frames);
    document.body.replaceChildren(s.element);
    for (const delta of ['Hel', 'lo ', 'wor', 'ld']) s.append(delta);
    assert.equal(frames.pending, 1, 'one frame requested for four deltas');
    frames.flush();
    assert.equal(s.stats.frames, 1);
    assert.equal(s.element.querySelector('.md-open')?.textContent?.trim(), 'Hello world');
  });

  it('keeps a long answer\'s blocks in groups of 16, in order, streamed or whole alike', () => {
    const source = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}.`).join('\n\n');
    const whole = renderFinishedMarkdown(source);
    const groups = Array.from(whole.children);
    assert.ok(groups.every((g) => g.classList.contains('md-group')), 'only groups under .markdown once finished');
    assert.deepEqual(groups.map((g) => g.childElementCount), [16, 16, 8]);
    assert.deepEqual(Array.from(whole.querySelectorAll('.md-block')).map((b) => b.textContent?.trim()), Array.from({ length: 40 }, (_, i) => `Paragraph ${i}.`));
    assert.equal(stream(source, [7, 13]).element.innerHTML, whole.innerHTML);
  });

  it('does per-chunk DOM work that does not grow with the length of the answer', function () {
    this.timeout(60_000);
    const frames = new ManualFrames();
    const s = new StreamingMarkdown(frames);
    document.body.replaceChildren(s.element);
    const observer = new MutationObserver(() => {});
    observer.observe(s.element, { childList: true, subtree: true, attributes: true, characterData: true });
    // Same-length blocks early and late, so the chunk boundaries fall alike.
    const block = (i: number): string => {
      const n = String(i).padStart(4, '0');
      return i % 5 === 4 ? `\`\`\`py\nprint(${n})\n\`\`\`\n\n` : `Paragraph ${n} with **bold** text and a [link](https://example.com/${n}).\n\n`;
    };
    /** Streams one block in 8-character chunks, one frame each; collects per-frame costs. */
    const streamBlock = (i: number): { records: number[]; added: number[]; lexed: number[] } => {
      const result = { records: [] as number[], added: [] as number[], lexed: [] as number[] };
      for (const chunk of chunks(block(i), [8])) {
        s.append(chunk);
        frames.flush();
        const records = observer.takeRecords();
        result.records.push(records.length);
        result.added.push(records.reduce((n, r) => n + Array.from(r.addedNodes).reduce((m, node) => m + 1 + ((node as Element).querySelectorAll?.('*').length ?? 0), 0), 0));
        result.lexed.push(s.stats.lastLexedChars);
      }
      return result;
    };
    streamBlock(0); // so the first measured frame also follows a kept block, as late ones do
    const early = [1, 2, 3, 4, 5].map(streamBlock);
    // Make the answer long quickly: one frame per block.
    for (let i = 6; i <= 400; i++) { s.append(block(i)); frames.flush(); }
    observer.takeRecords();
    const late = [401, 402, 403, 404, 405].map(streamBlock);
    assert.ok(s.stats.keptBlocks >= 400, `kept ${s.stats.keptBlocks} blocks`);
    assert.ok(s.text.length > 20_000, `answer is ${s.text.length} characters`);
    assert.deepEqual(late.map((r) => r.records), early.map((r) => r.records), 'mutation records per frame, early vs late');
    assert.deepEqual(late.map((r) => r.added), early.map((r) => r.added), 'nodes added per frame, early vs late');
    assert.deepEqual(late.map((r) => r.lexed), early.map((r) => r.lexed), 'characters lexed per frame, early vs late');
    assert.ok(Math.max(...late.flatMap((r) => r.records)) <= 2, 'a frame replaces the open block and may insert one kept block');
    observer.disconnect();
  });

  it('shows an open code block without actions, and adds them once it is finished', () => {
    const frames = new ManualFrames();
    const s = new StreamingMarkdown(frames);
    document.body.replaceChildren(s.element);
    s.append('```ts\nconst a = 1;\n');
    frames.flush();
    const open = s.element.querySelector('.code-block');
    assert.ok(open?.classList.contains('code-block-open'));
    assert.equal(open?.querySelectorAll('[data-code-action]').length, 0);
    s.append('```\n\nDone.');
    frames.flush();
    const kept = s.element.querySelector('.md-block:not(.md-open) .code-block');
    assert.equal(kept?.querySelectorAll('[data-code-action]').length, 3);
    assert.equal(kept?.querySelector('code')?.textContent, 'const a = 1;');
  });

  it('ignores deltas after finish and frames that fire after finish', () => {
    const frames = new ManualFrames();
    const s = new StreamingMarkdown(frames);
    s.append('partial');
    s.finish();
    s.append(' more');
    frames.flush();
    assert.equal(s.text, 'partial');
    assert.equal(s.element.textContent?.trim(), 'partial');
  });
});
