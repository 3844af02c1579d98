/**
 * Compare mode in the chat webview (jsdom): a question asked in compare mode carries the
 * composer's attachments, whose chips leave the composer and show on the comparison in the thread.
 */
import assert from 'node:assert/strict';
import type { HostMessage, HostStateMessage } from '../../../src/shared/protocol';
import { ChatApp } from '../../../src/webview/app';
import { FakeVsCode, ManualFrames, useDom } from './dom-env';
import { waitFor } from '../helpers/wait';

const STATE: Omit<HostStateMessage, 'inReplyTo'> = {
  type: 'state', conversations: [], activeConversationId: null, messages: [], draft: '',
  models: [{ id: 'fast' }, { id: 'smart' }], currentModel: 'fast', offline: null,
};
const FILE = { id: 'att-1', kind: 'file' as const, name: 'src/sort.ts', tokens: 9 };

describe('chat webview: compare mode', () => {
  const env = useDom();
  let vscode: FakeVsCode;
  let app: ChatApp;
  let root: HTMLElement;
  const deliver = (message: HostMessage): void => { window.dispatchEvent(new env.window.MessageEvent('message', { data: message })); };

  beforeEach(async () => {
    root = document.createElement('div');
    document.body.replaceChildren(root);
    vscode = new FakeVsCode();
    app = new ChatApp(root, vscode, { scheduler: new ManualFrames(), draftDebounceMs: 20, replyTimeoutMs: 300 });
    app.start();
    const ready = vscode.posted[0]!;
    deliver({ ...STATE, inReplyTo: ready.type === 'ready' ? ready.requestId : '' });
    await waitFor(() => root.getAttribute('aria-busy') === 'false', 'the restored state');
  });
  afterEach(() => app.dispose());

  it('sends the attached chips with the compared question, and shows them on the comparison', () => {
    deliver({ type: 'compareMode', models: ['fast', 'smart'] });
    deliver({ type: 'attachments', attachments: [FILE] });
    assert.equal(root.querySelectorAll('.composer-chips .chip').length, 1);
    const input = root.querySelector('textarea')!;
    input.value = 'Is this stable?';
    input.dispatchEvent(new env.window.KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    const [asked] = vscode.ofType('compare');
    assert.deepEqual([asked?.text, asked?.models, asked?.attachmentIds], ['Is this stable?', ['fast', 'smart'], ['att-1']]);
    assert.equal(root.querySelectorAll('.composer-chips .chip').length, 0, 'the chips went with the question');
    deliver({ type: 'messageAdded', conversationId: 'c1', message: {
      id: asked!.messageId, role: 'compare', text: '', attachments: [FILE],
      compare: { prompt: 'Is this stable?', columns: [{ id: 'k1', model: 'fast', status: 'queued', text: '' }, { id: 'k2', model: 'smart', status: 'queued', text: '' }] },
    } });
    const block = root.querySelector(`article.compare[data-message-id="${asked!.messageId}"]`)!;
    assert.equal(block.querySelector('.message-attachments .chip-name')?.textContent, 'src/sort.ts');
  });
});
