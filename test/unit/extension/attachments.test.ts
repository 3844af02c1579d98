/**
 * What an attachment holds (src/extension/chat/attachmentContent.ts): binary files refused, large
 * files cut at a line with a note the chip and the model both see, problems as a sorted list,
 * images recognised by their bytes and re-encoded by the host, and the user message as the core
 * gets it. The editor's checks (trust, workspace, excludes, .gitignore) run in
 * test/integration/attachments.test.ts.
 */
import assert from 'node:assert/strict';
import {
  MAX_ATTACHMENT_CHARS, MAX_READ_BYTES, forView, imageAttachment, imageFromDataUrl, isBinary, problemsAttachment, textAttachment, userContent,
} from '../../../src/extension/chat/attachmentContent';
import { Attachment, MAX_IMAGE_BYTES, parseHostMessage } from '../../../src/shared/protocol';

/** A 2×1 PNG: signature, IHDR with the size; enough for the checks (the pixels are never decoded). */
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000020000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005fe02fedc44a3ee0000000049454e44ae426082', 'hex');

const file = (text: string, extra: Partial<Parameters<typeof textAttachment>[0]> = {}) => textAttachment({ id: 'att-1', kind: 'file', path: 'src/a.ts', languageId: 'typescript', text, ...extra });

describe('attachment content', () => {
  it('tells binary files from text: a NUL byte or bytes that are not UTF-8', () => {
    assert.equal(isBinary(new TextEncoder().encode('const é = "ünïcode";\n')), false);
    assert.equal(isBinary(PNG), true);
    assert.equal(isBinary(Uint8Array.from([0x68, 0x69, 0xff, 0xfe, 0x41])), true, 'invalid UTF-8');
    // A multi-byte character cut at the 8 KB boundary is still text.
    const text = new TextEncoder().encode(`${'a'.repeat(8191)}é`);
    assert.equal(isBinary(text), false);
  });

  it('keeps a small file whole, fenced with its language, with a token estimate', () => {
    const a = file('export const x = 1;\n');
    assert.equal(a.name, 'src/a.ts');
    assert.equal(a.note, undefined);
    assert.equal(a.content, 'File `src/a.ts`:\n\n```typescript\nexport const x = 1;\n```');
    assert.ok(a.tokens > 5 && a.tokens < 30, `tokens ${a.tokens}`);
  });

  it('cuts a large file at a line, and says so on the chip and to the model', () => {
    const line = `${'x'.repeat(99)}\n`;
    const text = line.repeat(3000); // 300,000 characters
    const a = file(text);
    assert.match(a.note ?? '', /^cut to the first 1,000 lines \(100,000 of 300,000 characters\)$/);
    assert.ok(a.content!.includes(`(${a.note})`), 'the model is told too');
    assert.ok(a.content!.length < MAX_ATTACHMENT_CHARS + 200);
    assert.ok(a.content!.endsWith(`${'x'.repeat(99)}\n\`\`\``), 'cut at a line end');
    // A file longer than what was read says its full length.
    const read = file('short\n'.repeat(10), { totalChars: MAX_READ_BYTES * 3 });
    assert.match(read.note ?? '', /of 1,200,000 characters/);
  });

  it('fences code that contains backticks with a longer fence', () => {
    const a = file('const md = "```js\\n```";\n');
    assert.ok(a.content!.includes('````typescript\n'), a.content);
  });

  it('lists problems errors first with line, column and source; refuses a file without any', () => {
    const a = problemsAttachment('att-p', 'src/a.ts', [
      { line: 9, column: 3, severity: 'warning', message: 'Unused variable.', source: 'ts', code: '6133' },
      { line: 2, column: 14, severity: 'error', message: "Type 'string' is not\nassignable to type 'number'.", source: 'ts', code: '2322' },
    ]);
    assert.equal(a.name, 'Problems in src/a.ts (1 error, 1 warning)');
    assert.equal(a.content, [
      'Problems VS Code reports in `src/a.ts` (2):', '',
      "- src/a.ts:2:14 error: Type 'string' is not assignable to type 'number'. (ts 2322)",
      '- src/a.ts:9:3 warning: Unused variable. (ts 6133)',
    ].join('\n'));
    assert.throws(() => problemsAttachment('att-p', 'src/b.ts', []), /src\/b\.ts has no problems to attach/);
  });

  it('takes an image by its bytes, not its claimed type, and makes the data: URL itself', () => {
    const claimed = `data:image/gif;base64,${PNG.toString('base64')}`;
    const a = imageFromDataUrl('att-i', 'shot.png', claimed);
    assert.equal(a.kind, 'image');
    assert.equal(a.dataUrl, `data:image/png;base64,${PNG.toString('base64')}`);
    assert.equal(a.tokens, 85 + 170, 'a 2×1 image: one OpenAI tile');
    assert.throws(() => imageFromDataUrl('att-i', 'page.html', `data:image/png;base64,${Buffer.from('<script>alert(1)</script>').toString('base64')}`), /page\.html is not a PNG, JPEG, GIF or WebP image/);
    assert.throws(() => imageFromDataUrl('att-i', 'x', 'javascript:alert(1)'), /did not arrive as an image/);
    const huge = Buffer.concat([PNG, Buffer.alloc(MAX_IMAGE_BYTES)]);
    assert.throws(() => imageAttachment('att-i', 'huge.png', huge), /huge\.png is 5\.0 MB; images up to 5 MB/);
    // What the host makes passes the protocol's own check on the way to the webview.
    assert.ok(parseHostMessage({ type: 'attachments', attachments: [a] }).ok);
    assert.equal(parseHostMessage({ type: 'attachments', attachments: [{ ...a, dataUrl: 'data:text/html;base64,PHNjcmlwdD4=' }] }).ok, false, 'no other data: URL reaches the view');
  });

  it('builds the user message: attached text first, then the question, then images; content stays in the host', () => {
    const text = file('let a = 1;\n');
    const image = imageAttachment('att-i', 'shot.png', PNG);
    assert.equal(userContent('Why?', undefined), 'Why?');
    assert.deepEqual(userContent('Why?', [text, image]), [
      { type: 'text', text: text.content },
      { type: 'text', text: 'Why?' },
      { type: 'image_url', image_url: { url: image.dataUrl } },
    ]);
    const shown = forView(text);
    assert.equal(shown.content, undefined);
    assert.deepEqual({ ...shown, content: text.content }, text);
    assert.ok(Attachment.safeParse(shown).success);
  });
});
