/**
 * What the core needs of an AbortSignal: a real AbortSignal is one. The proxy passes a lighter
 * object of its own, since an AbortController with its listeners cost about 10 µs of CPU per
 * request there (`npm run bench`, proxy profile), for an abort that almost never happens.
 */
export interface AbortLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
