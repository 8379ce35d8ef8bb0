import { describe, expect, it } from 'vitest';
import { CommandQueue } from './queue.js';

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('CommandQueue', () => {
  it('runs operations one at a time, in order', async () => {
    const q = new CommandQueue();
    const log: string[] = [];
    const op = (name: string, ms: number) => q.run(async () => { log.push(`start ${name}`); await tick(ms); log.push(`end ${name}`); return name; });
    expect(await Promise.all([op('a', 20), op('b', 1), op('c', 5)])).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('a failing operation does not stop the next', async () => {
    const q = new CommandQueue();
    const failing = q.run(async () => { throw new Error('boom'); });
    const next = q.run(async () => 'ok');
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('ok');
  });

  it('an operation aborted while waiting is removed with MAIL_ABORTED and never runs', async () => {
    const q = new CommandQueue();
    const ran: string[] = [];
    const controller = new AbortController();
    const first = q.run(async () => { await tick(20); ran.push('first'); });
    const second = q.run(async () => { ran.push('second'); }, { signal: controller.signal });
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'MAIL_ABORTED' });
    await first;
    expect(ran).toEqual(['first']);
    await expect(q.run(async () => 1, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'MAIL_ABORTED' });
  });

  it('hands out the next operation\'s prewrite once, only while it waits', async () => {
    const q = new CommandQueue();
    const calls: boolean[] = [];
    let claimed: Array<Buffer | undefined> = [];
    const first = q.run(async () => {
      await tick();
      claimed = [q.prewriteNext(true), q.prewriteNext(false)];
    });
    const second = q.run(async () => 'second', { prewrite: (reset) => { calls.push(reset); return Buffer.from('MAIL'); } });
    await Promise.all([first, second]);
    expect(claimed.map((b) => b?.toString())).toEqual(['MAIL', undefined]);
    expect(calls).toEqual([true]);
    expect(q.prewriteNext(true)).toBeUndefined();
  });

  it('a claimed operation is not removed by an abort; one whose prewrite gave nothing still is', async () => {
    const q = new CommandQueue();
    const a = new AbortController();
    const b = new AbortController();
    const ran: string[] = [];
    let release!: () => void;
    const first = q.run(() => new Promise<void>((r) => (release = r)));
    const second = q.run(async () => { ran.push('second'); }, { signal: a.signal, prewrite: () => undefined });
    expect(q.prewriteNext(false)).toBeUndefined();
    a.abort();
    await expect(second).rejects.toMatchObject({ code: 'MAIL_ABORTED' });
    const third = q.run(async () => { ran.push('third'); }, { signal: b.signal, prewrite: () => Buffer.from('MAIL') });
    expect(q.prewriteNext(false)?.toString()).toBe('MAIL');
    b.abort();
    release();
    await first;
    await third;
    expect(ran).toEqual(['third']);
  });

  it('keeps order over many queued operations and frees what it consumed', async () => {
    const q = new CommandQueue();
    const order: number[] = [];
    const all = Array.from({ length: 3000 }, (_, i) => q.run(async () => { order.push(i); return i; }));
    expect(await Promise.all(all)).toEqual(order);
    expect(order).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(await q.run(async () => 'after')).toBe('after');
  });
});
