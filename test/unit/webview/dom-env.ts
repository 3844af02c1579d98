/**
 * A jsdom window installed as the global browser environment for one mocha suite, and removed
 * after it: all unit tests share one process, and a global `window` would make other suites'
 * libraries (the openai client, for one) believe they run in a browser.
 */
import { JSDOM, type ConstructorOptions } from 'jsdom';
import type { WebviewMessage } from '../../../src/shared/protocol';
import type { VsCodeApi } from '../../../src/webview/host';
import { FrameQueue } from '../../../src/webview/frames';

const GLOBALS = [
  'window', 'document', 'Node', 'Element', 'HTMLElement', 'DocumentFragment', 'MutationObserver',
  'KeyboardEvent', 'MouseEvent', 'Event', 'MessageEvent', 'requestAnimationFrame', 'getComputedStyle',
] as const;

export interface DomHandle {
  readonly dom: JSDOM;
  readonly window: JSDOM['window'];
}

/** Registers before/after hooks in the calling `describe`; returns a handle filled in `before`. */
export function useDom(options: ConstructorOptions = {}): DomHandle {
  const handle = {} as { dom: JSDOM; window: JSDOM['window'] };
  const saved = new Map<string, PropertyDescriptor | undefined>();
  before(() => {
    const dom = new JSDOM('<!DOCTYPE html><html><body><div id="app"></div></body></html>', { pretendToBeVisual: true, url: 'https://webview.test/', ...options });
    handle.dom = dom;
    handle.window = dom.window;
    for (const name of GLOBALS) {
      saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
      const value = name === 'window' ? dom.window : (dom.window as unknown as Record<string, unknown>)[name];
      Object.defineProperty(globalThis, name, { value: typeof value === 'function' && /^[a-z]/.test(name) ? value.bind(dom.window) : value, configurable: true, writable: true });
    }
  });
  after(() => {
    for (const name of GLOBALS) {
      const descriptor = saved.get(name);
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else delete (globalThis as Record<string, unknown>)[name];
    }
    handle.dom?.window.close();
  });
  return handle;
}

/** Frames run when the test says so: deterministic streaming tests without real rAF. */
export class ManualFrames extends FrameQueue {
  private readonly thrown: unknown[] = [];

  constructor() {
    super(() => undefined, (error) => this.thrown.push(error));
  }

  /** Runs the frame; what a callback threw fails the test, once the frame's others have run. */
  flush(): void {
    this.run();
    if (this.thrown.length) throw this.thrown.splice(0)[0];
  }
}

/** The webview's `acquireVsCodeApi()` for tests: keeps what the view posted (cloned, as postMessage does) and its saved state. */
export class FakeVsCode implements VsCodeApi {
  readonly posted: WebviewMessage[] = [];
  state: unknown;
  postMessage(message: unknown): void { this.posted.push(structuredClone(message) as WebviewMessage); }
  getState(): unknown { return this.state; }
  setState(state: unknown): void { this.state = state; }
  ofType<T extends WebviewMessage['type']>(type: T): Array<Extract<WebviewMessage, { type: T }>> {
    return this.posted.filter((m): m is Extract<WebviewMessage, { type: T }> => m.type === type);
  }
}
