/** Versions of an edited question: nothing is lost, however they are edited and switched. */
import assert from 'node:assert/strict';
import { branchAt, switchBranch, withBranchInfo, type Branched } from '../../../src/extension/chat/branches';
import type { ChatMessage } from '../../../src/shared/protocol';

const q = (id: string, text: string): ChatMessage => ({ id, role: 'user', text });
const a = (id: string, text: string): ChatMessage => ({ id, role: 'assistant', text });
const texts = (c: Branched) => c.messages.map((m) => m.text);

describe('chat branches', () => {
  it('keeps every version when a question is edited, and one inside a kept branch too', () => {
    const c: Branched = { messages: [q('q1', 'one'), a('a1', 'A1'), q('q2', 'two'), a('a2', 'A2')] };
    branchAt(c, 'q2', q('q2b', 'two, better'));
    c.messages.push(a('a2b', 'A2b'));
    branchAt(c, 'q1', q('q1b', 'one, better'));
    c.messages.push(a('a1b', 'A1b'));
    assert.deepEqual(texts(c), ['one, better', 'A1b']);
    assert.deepEqual(withBranchInfo(c)[0]!.branch, { index: 1, count: 2 });
    assert.equal(switchBranch(c, 'q1b', 0), true);
    assert.deepEqual(texts(c), ['one', 'A1', 'two, better', 'A2b'], 'the first branch, with its own latest edit');
    assert.deepEqual(withBranchInfo(c)[2]!.branch, { index: 1, count: 2 });
    assert.equal(switchBranch(c, 'q2b', 0), true);
    assert.deepEqual(texts(c), ['one', 'A1', 'two', 'A2'], 'the very first thread, whole');
    assert.equal(switchBranch(c, 'q1', 1), true);
    assert.deepEqual(texts(c), ['one, better', 'A1b']);
  });

  it('refuses to switch to a version that does not exist, or to the one shown', () => {
    const c: Branched = { messages: [q('q1', 'one')] };
    assert.equal(switchBranch(c, 'q1', 1), false);
    branchAt(c, 'q1', q('q1b', 'uno'));
    assert.equal(switchBranch(c, 'q1b', 1), false, 'already shown');
    assert.equal(switchBranch(c, 'q1b', 5), false);
    assert.equal(branchAt(c, 'missing', q('x', 'x')), undefined);
    assert.deepEqual(texts(c), ['uno']);
  });
});
