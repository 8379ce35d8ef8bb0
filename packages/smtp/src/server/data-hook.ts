/**
 * Calls `onData` with the `hookTimeout` deadline. The deadline runs only while the hook holds
 * the session: while it waits in the stream for more content, the data deadline (a stalled
 * client) applies instead, so a large upload is never cut short by `hookTimeout`.
 */
import { HookTimeoutError, PausableDeadline, TIMED_OUT } from './hook-timeout.js';
import type { Session } from './session.js';
import type { Envelope, HookResult } from './types.js';

/** What `onData` produced: its result, its error, or {@link TIMED_OUT}. */
export type DataOutcome = HookResult | HookResult[] | Error | typeof TIMED_OUT;

/**
 * The stream `onData` sees: pauses the deadline during each read, and once the deadline has
 * passed throws instead of reading (the server drains the content itself then).
 */
function guarded(stream: AsyncIterable<Buffer>, deadline: PausableDeadline, pending: () => boolean): AsyncIterable<Buffer> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<Buffer> {
      const inner = stream[Symbol.asyncIterator]();
      return {
        async next(): Promise<IteratorResult<Buffer>> {
          if (deadline.expired) throw new HookTimeoutError('onData');
          deadline.disarm();
          try {
            return await inner.next();
          } finally {
            if (pending()) deadline.arm();
          }
        },
        async return(value?: unknown): Promise<IteratorResult<Buffer>> {
          // After the deadline the server owns the content: leave the inner stream alone.
          if (deadline.expired || !inner.return) return { done: true, value: undefined };
          return inner.return(value);
        },
      };
    },
  };
}

/** Runs `onData` over `stream`; never rejects. */
export async function callDataHook(session: Session, stream: AsyncIterable<Buffer>, envelope: Envelope): Promise<DataOutcome> {
  const controller = new AbortController();
  let pending = true;
  let expire: (value: typeof TIMED_OUT) => void = () => undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => (expire = resolve));
  const deadline = new PausableDeadline(session.config.hookTimeout, () => expire(TIMED_OUT));
  const message = guarded(stream, deadline, () => pending);
  deadline.arm();
  // A synchronous throw becomes a rejection, like an async hook's.
  const work = Promise.resolve().then(() => session.config.options.onData(message, envelope, session, controller.signal));
  let outcome: DataOutcome;
  try {
    // Promise.race keeps a handler on `work`: a late settle after the deadline is ignored.
    outcome = await Promise.race([work, expired]);
  } catch (error) {
    outcome = error instanceof Error ? error : new Error(String(error));
  } finally {
    pending = false;
    deadline.stop();
  }
  if (outcome === TIMED_OUT) {
    controller.abort(new HookTimeoutError('onData'));
    session.log(`onData hook timed out after ${session.config.hookTimeout} ms`);
  }
  return outcome;
}
