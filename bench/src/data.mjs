// Generates benchmark messages: realistic headers, CRLF lines of 76 characters, some lines
// beginning with a dot (so dot-stuffing is exercised), exactly `size` bytes.
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';

/** A message of exactly `size` bytes (string, CRLF lines, some starting with a dot). */
export function makeMessage(size, n = 0) {
  const head = `From: sender@example.test\r\nTo: rcpt@example.test\r\nSubject: bench ${n}\r\nMessage-ID: <bench.${n}@example.test>\r\n\r\n`;
  const text = 'orem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempo';
  const parts = [head];
  let len = head.length;
  for (let i = 0; len < size; i++) {
    const line = (i % 50 === 7 ? '.' : 'L') + text.slice(0, 73) + '\r\n';
    parts.push(line);
    len += line.length;
  }
  return parts.join('').slice(0, Math.max(size - 2, head.length)).replace(/\r$/, 'x') + '\r\n';
}

/** Writes a message of `size` bytes to `path` in 1 MiB pieces (for 100 MiB files). */
export async function writeLargeMessage(path, size) {
  const out = createWriteStream(path);
  const piece = Buffer.from(makeMessage(1 << 20).split('\r\n\r\n')[1], 'latin1');
  out.write('From: sender@example.test\r\nTo: rcpt@example.test\r\nSubject: large\r\n\r\n');
  let left = size - 64;
  while (left > 0) {
    const part = piece.subarray(0, Math.min(piece.length, left));
    left -= part.length;
    if (!out.write(part)) await once(out, 'drain');
  }
  out.end('\r\n');
  await once(out, 'finish');
}

/** Writes `makeMessage(size)` to `path` and returns it. */
export function writeMessage(path, size) {
  const m = makeMessage(size);
  writeFileSync(path, m);
  return m;
}
