import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { createPrinter } from './printer.js';
import { bar, fetchProgress, formatBytes } from './progress.js';

function io(tty: boolean, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdin: Readable.from([]),
      stdout: { isTTY: tty, write: (s: string | Uint8Array) => out.push(String(s)) > 0 },
      stderr: { isTTY: tty, write: (s: string | Uint8Array) => err.push(String(s)) > 0 },
      env,
      cwd: '/',
    },
  };
}

describe('progress', () => {
  it('draws a bar on a terminal', () => {
    const t = io(true);
    const p = fetchProgress(createPrinter(t.io, {}));
    p.start(2, 2048);
    p.message({ n: 1, uid: 'a', size: 1024, action: 'stored' });
    p.message({ n: 2, uid: 'b', size: 1024, action: 'stored' });
    p.batch(2, 2);
    p.finish();
    const text = t.err.join('');
    expect(text).toContain('\r[########################] 2/2 2.0 KiB/2.0 KiB');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('prints plain lines per batch when not a terminal, nothing with --quiet or --json', () => {
    const t = io(false);
    const p = fetchProgress(createPrinter(t.io, {}));
    p.start(1, 10);
    p.message({ n: 1, uid: 'a', size: 10, action: 'stored' });
    p.batch(1, 1);
    p.finish();
    expect(t.err.join('')).toBe('stored 1/1 messages (10 B)\n');
    for (const opts of [{ quiet: true }, { json: true }]) {
      const q = io(true);
      const pq = fetchProgress(createPrinter(q.io, opts));
      pq.start(1, 10);
      pq.batch(1, 1);
      pq.finish();
      expect(q.err).toEqual([]);
    }
  });

  it('formats sizes and bars', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(bar(1, 4, 8)).toBe('[##......]');
    expect(bar(0, 0, 4)).toBe('[####]');
  });

  it('colours only on a TTY and never with NO_COLOR', () => {
    expect(createPrinter(io(true, { FORCE_COLOR: '1' }).io, {}).color.red('x')).not.toBe('x');
    expect(createPrinter(io(true, { NO_COLOR: '1' }).io, {}).color.red('x')).toBe('x');
    expect(createPrinter(io(false).io, {}).color.red('x')).toBe('x');
  });
});
