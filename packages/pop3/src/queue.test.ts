import { describe, expect, it } from 'vitest';
import { MailError } from '@mail/transport';
import { CommandQueue } from './queue.js';

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('CommandQueue', () => {
  it('runs turns one at a time, in call order', async () => {
    const q = new CommandQueue();
    const log: string[] = [];
    const job = (name: string, ms: number) => q.run(async () => {
      log.push(`start ${name}`);
      await tick(ms);
      log.push(`end ${name}`);
      return name;
    });
    expect(await Promise.all([job('a', 20), job('b', 1), job('c', 5)])).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('a failing turn releases the next one', async () => {
    const q = new CommandQueue();
    const first = q.run(async () => {
      throw new Error('boom');
    });
    await expect(first).rejects.toThrow('boom');
    expect(await q.run(async () => 42)).toBe(42);
  });

  it('an abort while waiting rejects with MAIL_ABORTED without breaking the order', async () => {
    const q = new CommandQueue();
    const log: string[] = [];
    const release = await q.acquire();
    const controller = new AbortController();
    const aborted = q.run(async () => log.push('aborted ran'), controller.signal);
    const later = q.run(async () => log.push('later ran'));
    controller.abort(new Error('stop'));
    const error = await aborted.catch((e: unknown) => e);
    expect(MailError.hasCode(error, 'MAIL_ABORTED')).toBe(true);
    await tick();
    expect(log).toEqual([]); // `later` still waits for the held turn
    release();
    await later;
    expect(log).toEqual(['later ran']);
  });

  it('an already aborted signal rejects at once', async () => {
    const q = new CommandQueue();
    const error = await q.run(async () => 1, AbortSignal.abort()).catch((e: unknown) => e);
    expect(MailError.hasCode(error, 'MAIL_ABORTED')).toBe(true);
    expect(await q.run(async () => 2)).toBe(2);
  });

  it('release is idempotent', async () => {
    const q = new CommandQueue();
    const release = await q.acquire();
    release();
    release();
    const r2 = await q.acquire();
    let third = false;
    const p = q.run(async () => {
      third = true;
    });
    await tick();
    expect(third).toBe(false);
    r2();
    await p;
    expect(third).toBe(true);
  });
});
