import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadlines } from './deadlines.js';

// Fake timers: the clock is driven by the test, nothing depends on real time.
describe('Deadlines', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('expires each deadline when its time comes, earliest first, whatever the order of adding', () => {
    const d = new Deadlines();
    const fired: string[] = [];
    d.add(Date.now() + 300, () => fired.push('c'));
    d.add(Date.now() + 100, () => fired.push('a'));
    d.add(Date.now() + 200, () => fired.push('b'));
    vi.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(['a', 'b']);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never expires a released deadline, even when the timer armed for it fires', () => {
    const d = new Deadlines();
    const fired: string[] = [];
    const release = d.add(Date.now() + 100, () => fired.push('early'));
    d.add(Date.now() + 500, () => fired.push('late'));
    release();
    vi.advanceTimersByTime(499);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['late']);
  });

  it('keeps one timer however many deadlines are pending', () => {
    const d = new Deadlines();
    for (let i = 0; i < 50; i++) d.add(Date.now() + 1000 + i, () => undefined);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('expires a deadline already in the past on the next timer turn', () => {
    const d = new Deadlines();
    const onExpire = vi.fn();
    d.add(Date.now() - 5, onExpire);
    expect(onExpire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onExpire).toHaveBeenCalledOnce();
  });

  it('re-arms for a deadline earlier than the armed one', () => {
    const d = new Deadlines();
    const fired: string[] = [];
    d.add(Date.now() + 1000, () => fired.push('late'));
    d.add(Date.now() + 10, () => fired.push('early'));
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(['early']);
  });

  it('clear() forgets everything and stops the timer', () => {
    const d = new Deadlines();
    const onExpire = vi.fn();
    d.add(Date.now() + 10, onExpire);
    d.clear();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(100);
    expect(onExpire).not.toHaveBeenCalled();
  });

  it('an expiry that adds a new deadline gets it armed', () => {
    const d = new Deadlines();
    const fired: string[] = [];
    d.add(Date.now() + 10, () => {
      fired.push('first');
      d.add(Date.now() + 10, () => fired.push('second'));
    });
    vi.advanceTimersByTime(10);
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(['first', 'second']);
  });

  it('arm/disarm: a disarmed deadline never fires, disarming twice is harmless', () => {
    const d = new Deadlines();
    const fired: string[] = [];
    const a = d.arm(Date.now() + 10, () => fired.push('a'));
    d.arm(Date.now() + 20, () => fired.push('b'));
    d.disarm(a);
    d.disarm(a);
    vi.advanceTimersByTime(30);
    expect(fired).toEqual(['b']);
  });
});
