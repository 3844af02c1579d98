import assert from 'node:assert/strict';
import { MarkdownJob, NearViewport, type Job } from '../../../src/webview/deferred';
import { isGrammarCompiled } from '../../../src/webview/highlight';
import { renderFinishedMarkdown } from '../../../src/webview/streaming';
import { waitFor } from '../helpers/wait';
import { ManualFrames, useDom } from './dom-env';

/** Grammars of highlight.js that this process may not have compiled yet (other suites compile some). */
const LANGUAGES = ['dockerfile', 'ruby', 'rust', 'php', 'go', 'java', 'csharp', 'cpp', 'c', 'ini', 'diff', 'markdown', 'css', 'xml', 'sql', 'json', 'yaml', 'bash', 'python', 'javascript', 'typescript'];

describe('chat webview: a restored answer renders its markdown, then its code, in steps', () => {
  useDom();

  it('highlights each code block in a step after its block, compiles a new grammar in a step of its own, and ends with what a one-pass render gives', () => {
    const language = LANGUAGES.find((l) => !isGrammarCompiled(l));
    assert.ok(language, 'a grammar not compiled yet');
    const source = `Intro with **bold**.\n\n\`\`\`${language}\nfirst <block> & "quotes"\n\`\`\`\n\nBetween.\n\n\`\`\`${language}\nsecond\n\`\`\`\n\n\`\`\`\nno language\n\`\`\`\n`;
    const holder = document.createElement('div');
    const placeholder = document.createElement('div');
    placeholder.textContent = source;
    holder.append(placeholder);
    const job = new MarkdownJob(source, placeholder);

    const steps: { heavy: boolean; uncoloured: number }[] = [];
    let done = false;
    for (let i = 0; i < 20 && !done; i++) {
      const heavy = job.heavy();
      done = job.step();
      steps.push({ heavy, uncoloured: holder.querySelectorAll('.code-unhighlighted').length });
      if (!done) assert.equal(holder.firstElementChild, placeholder, 'the text stays until the last step');
    }
    assert.ok(done, 'finished within 20 steps');
    // paragraph; code 1 (plain); compile; colour 1; paragraph; code 2 (plain); colour 2; plain code.
    assert.deepEqual(steps.map((s) => s.heavy), [false, false, true, false, false, false, false, false]);
    assert.equal(isGrammarCompiled(language), true);
    assert.equal(holder.querySelectorAll('.code-unhighlighted').length, 0, 'every block coloured');
    assert.equal(holder.firstElementChild!.outerHTML, renderFinishedMarkdown(source).outerHTML, 'the same DOM as highlighting while rendering: nothing lost, nothing coloured twice');
    const code = holder.querySelectorAll('pre code');
    assert.equal(code[0]!.textContent, 'first <block> & "quotes"', 'the code text is unchanged (what Copy takes)');
    assert.equal(holder.querySelectorAll('[data-code-action="copy"]').length, 3, 'every block keeps its actions');
  });

  describe('NearViewport', () => {
    class FakeIntersectionObserver {
      observe(): void {}
      unobserve(): void {}
      disconnect(): void {}
    }
    const realSetTimeout = globalThis.setTimeout;
    let task = 'script';
    before(() => {
      (globalThis as Record<string, unknown>).IntersectionObserver = FakeIntersectionObserver;
      // Each timer callback is a task: name it, so a step knows which task it ran in.
      let n = 0;
      globalThis.setTimeout = ((callback: () => void, ms?: number) => realSetTimeout(() => { task = `timer ${++n}`; callback(); task = 'idle'; }, ms)) as typeof setTimeout;
    });
    after(() => {
      delete (globalThis as Record<string, unknown>).IntersectionObserver;
      globalThis.setTimeout = realSetTimeout;
    });

    /** A job of `count` steps whose steps at `heavyAt` are heavy; logs where each ran. */
    function job(name: string, count: number, heavyAt: number[], log: { step: string; task: string }[]): Job {
      let next = 0;
      return {
        heavy: () => heavyAt.includes(next),
        step: () => { log.push({ step: `${name}${next}${heavyAt.includes(next) ? '!' : ''}`, task }); return ++next >= count; },
      };
    }

    it('runs the warm-up a step per task before any answer, and a heavy step alone in a task of its own, never in a frame', async () => {
      const frames = new ManualFrames();
      const rendered: string[] = [];
      const viewport = new NearViewport(() => null, { request: (callback) => frames.request(() => { task = 'frame'; callback(); task = 'idle'; }), read: (callback) => frames.read(callback), spent: () => frames.spent() }, () => rendered.push(task));
      const log: { step: string; task: string }[] = [];
      const a = document.createElement('div');
      const b = document.createElement('div');
      viewport.warmUp();
      viewport.defer(a, job('a', 3, [], log));
      viewport.defer(b, job('b', 4, [1, 2], log));
      viewport.first([a, b], 1000);
      for (let i = 0; i < 50 && log.length < 7; i++) {
        await waitFor(() => frames.pending > 0 || log.length === 7 || undefined, 'a frame or the last step', 5000).catch(() => undefined);
        frames.flush();
      }
      assert.deepEqual(log.map((l) => l.step), ['a0', 'a1', 'a2', 'b0', 'b1!', 'b2!', 'b3']);
      // With a budget of a second, the light steps share a task; each heavy one has its own.
      const tasksOf = (step: string) => log.find((l) => l.step === step)!.task;
      for (const heavy of ['b1!', 'b2!']) {
        assert.match(tasksOf(heavy), /^timer /, `${heavy} runs in a timer task`);
        assert.deepEqual(log.filter((l) => l.task === tasksOf(heavy)).map((l) => l.step), [heavy], `${heavy} alone in its task`);
      }
      assert.equal(tasksOf('a0'), tasksOf('b0'), 'light steps share a task within the budget');
      // The warm-up's steps (markdown.ts) ran first, each in a task before the answers' first one.
      const firstAnswerTask = Number(tasksOf('a0').split(' ')[1]);
      assert.ok(firstAnswerTask >= 5, `the warm-up's steps took tasks of their own before the answers (first answer step in task ${firstAnswerTask})`);
      assert.ok(rendered.length > 0);
    });
  });
});
