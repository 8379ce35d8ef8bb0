import { describe, expect, it } from 'vitest';
import { Turn, Turns } from './turns.js';

describe('Turn', () => {
  it('needs no waiting with nobody ahead, or when the one ahead was released', () => {
    expect(new Turn(undefined).ready).toBeUndefined();
    const first = new Turn(undefined);
    expect(first.release()).toBe(true);
    expect(first.release()).toBe(false);
    expect(new Turn(first).ready).toBeUndefined();
  });

  it('each turn waits for the one taken before it, in order', async () => {
    const a = new Turn(undefined);
    const b = new Turn(a);
    const c = new Turn(b);
    const order: string[] = [];
    const waitB = b.ready!.then(() => order.push('b'));
    const waitC = c.ready!.then(() => order.push('c'));
    await Promise.resolve();
    expect(order).toEqual([]);
    a.release();
    await waitB;
    expect(order).toEqual(['b']);
    b.release();
    await waitC;
    expect(order).toEqual(['b', 'c']);
  });

  it('Turns counts the turns held, and a double release counts once', () => {
    const turns = new Turns();
    const a = turns.take();
    const b = turns.take();
    expect(turns.held).toBe(2);
    expect(a.ready).toBeUndefined();
    expect(b.ready).toBeInstanceOf(Promise);
    turns.release(a);
    turns.release(a);
    expect(turns.held).toBe(1);
    turns.release(b);
    expect(turns.held).toBe(0);
    expect(turns.take().ready).toBeUndefined();
  });
});
