import { describe, expect, it } from 'vitest';
import { HookTimeoutError, TIMED_OUT, hasDeadline, runWithTimeout } from './hook-timeout.js';

describe('runWithTimeout', () => {
  it('gives the hook value when it settles in time', async () => {
    await expect(runWithTimeout('onX', 1000, () => 42)).resolves.toBe(42);
  });

  it('gives TIMED_OUT and aborts the signal with HookTimeoutError when the deadline passes', async () => {
    let seen: AbortSignal | undefined;
    const result = await runWithTimeout('onX', 20, (signal) => {
      seen = signal;
      return new Promise<never>(() => {});
    });
    expect(result).toBe(TIMED_OUT);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(HookTimeoutError);
    expect((seen?.reason as Error).message).toBe('onX hook timed out');
  });

  it('rejects with a hook error thrown in time, synchronous or not', async () => {
    await expect(runWithTimeout('onX', 1000, () => { throw new Error('sync'); })).rejects.toThrow('sync');
    await expect(runWithTimeout('onX', 1000, () => Promise.reject(new Error('async')))).rejects.toThrow('async');
  });

  it('ignores a late rejection (no unhandled rejection)', async () => {
    let fail!: (e: Error) => void;
    const result = await runWithTimeout('onX', 10, () => new Promise((_, reject) => { fail = reject; }));
    expect(result).toBe(TIMED_OUT);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => { unhandled.push(e); };
    process.on('unhandledRejection', onUnhandled);
    fail(new Error('late'));
    await new Promise((r) => setTimeout(r, 20));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  it('has no deadline for 0 or Infinity', async () => {
    expect(hasDeadline(0)).toBe(false);
    expect(hasDeadline(Infinity)).toBe(false);
    expect(hasDeadline(Number.NaN)).toBe(false);
    expect(hasDeadline(5)).toBe(true);
    await expect(runWithTimeout('onX', 0, () => new Promise((r) => setTimeout(() => r('slow'), 30)))).resolves.toBe('slow');
  });
});
