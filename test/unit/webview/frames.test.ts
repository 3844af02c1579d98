import assert from 'node:assert/strict';
import { FrameQueue } from '../../../src/webview/frames';

/** A queue whose frames the test runs: `frame()` is the browser calling the frame's callback. */
function manual(): { queue: FrameQueue; frame(): void; asked: () => number } {
  let pending: (() => void) | undefined;
  let asked = 0;
  const queue = new FrameQueue((run) => { asked++; pending = run; });
  return { queue, asked: () => asked, frame: () => { const run = pending; pending = undefined; run?.(); } };
}

describe('FrameQueue', () => {
  it('runs a frame\'s reads before its other callbacks, whatever the order they were asked in, with one frame asked for', () => {
    const { queue, frame, asked } = manual();
    const ran: string[] = [];
    queue.request(() => ran.push('write 1'));
    queue.read(() => ran.push('read 1'));
    queue.request(() => ran.push('write 2'));
    queue.read(() => ran.push('read 2'));
    assert.equal(asked(), 1);
    assert.equal(queue.pending, 4);
    frame();
    assert.deepEqual(ran, ['read 1', 'read 2', 'write 1', 'write 2']);
    assert.equal(queue.pending, 0);
  });

  it('puts what a callback asks for in the next frame', () => {
    const { queue, frame, asked } = manual();
    const ran: string[] = [];
    queue.request(() => { ran.push('first'); queue.read(() => ran.push('next frame\'s read')); });
    frame();
    assert.deepEqual(ran, ['first']);
    assert.equal(asked(), 2);
    frame();
    assert.deepEqual(ran, ['first', 'next frame\'s read']);
  });

  it('says how long the running frame has spent, counting its earlier callbacks, and 0 between frames', () => {
    const { queue, frame } = manual();
    const now = performance.now.bind(performance);
    let clock = 100;
    performance.now = () => clock;
    try {
      const seen: number[] = [];
      queue.read(() => { seen.push(queue.spent()); clock += 4; });
      queue.request(() => { seen.push(queue.spent()); clock += 3; });
      queue.request(() => seen.push(queue.spent()));
      assert.equal(queue.spent(), 0, 'no frame yet');
      frame();
      assert.deepEqual(seen, [0, 4, 7]);
      assert.equal(queue.spent(), 0, 'the frame is over');
      queue.request(() => seen.push(queue.spent()));
      clock += 50;
      frame();
      assert.equal(seen.at(-1), 0, 'a new frame starts from nothing');
    } finally {
      performance.now = now;
    }
  });

  it('reports a callback that throws and still runs the others', () => {
    const { queue, frame } = manual();
    const reported: unknown[] = [];
    const saved = globalThis.reportError;
    globalThis.reportError = (error: unknown) => { reported.push(error); };
    try {
      const ran: string[] = [];
      queue.read(() => { throw new Error('read failed'); });
      queue.request(() => ran.push('write'));
      frame();
      assert.deepEqual(ran, ['write']);
      assert.equal((reported[0] as Error).message, 'read failed');
      // The queue still asks for frames after the failure.
      queue.request(() => ran.push('later'));
      frame();
      assert.deepEqual(ran, ['write', 'later']);
    } finally {
      globalThis.reportError = saved;
    }
  });
});
