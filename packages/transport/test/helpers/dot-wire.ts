// Property-test material shared by the dot-terminated reads (readDotBody, readDotBytes): the
// same random bodies, their wire form, and the same way of feeding that wire in chunks.
import type { Writable } from 'node:stream';
import fc from 'fast-check';

/** Body text made of the pieces that matter for dot-stuffing: dots, CR, LF, CRLF. */
export const bodyParts = fc.array(fc.constantFrom('a', '.', '..', '\r\n', ' ', 'x\r\n', '.\r', '\n'), { maxLength: 60 });

/** Chunk sizes cycled through by {@link writeInSizes}. */
export const chunkSizes = fc.array(fc.integer({ min: 1, max: 13 }), { minLength: 1, maxLength: 30 });

/**
 * The wire form of `parts` as a server sends it (CRLF lines, dot-stuffed, ended by `.CRLF`,
 * RFC 5321 §4.5.2 / RFC 1939 §3), followed by the pipelined line `+OK after`; and the body a
 * reader must give back (the text with CRLF line ends and a final CRLF unless empty).
 */
export function dotCase(parts: readonly string[]): { wire: Buffer; expected: string } {
  const text = parts.join('').replace(/\r?\n/g, '\r\n');
  const stuffed = text.split('\r\n').map((l) => (l.startsWith('.') ? `.${l}` : l)).join('\r\n');
  const wire = Buffer.from(`${stuffed}${stuffed.endsWith('\r\n') || stuffed === '' ? '' : '\r\n'}.\r\n+OK after\r\n`);
  const expected = text === '' ? '' : text.endsWith('\r\n') ? text : `${text}\r\n`;
  return { wire, expected };
}

/** Writes `wire` to `to` in chunks whose sizes cycle through `sizes` (all at least 1). */
export function writeInSizes(to: Writable, wire: Buffer, sizes: readonly number[]): void {
  let at = 0;
  for (let i = 0; at < wire.length; i++) {
    const n = sizes[i % sizes.length]!;
    to.write(wire.subarray(at, at + n));
    at += n;
  }
}
