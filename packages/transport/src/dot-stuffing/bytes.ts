/**
 * Byte constants and the two copy helpers the dot-stuffing transforms share: every edit
 * they make is a single-byte insertion (encoder) or deletion (decoder), so output is built
 * from a list of positions with one allocation and a few native copies, never byte by byte.
 */

/** Carriage return. */
export const CR = 0x0d;
/** Line feed. */
export const LF = 0x0a;
/** Full stop, the SMTP/POP3 end-of-data and transparency octet (RFC 5321 §4.5.2). */
export const DOT = 0x2e;

/**
 * Longest text line SMTP allows, in octets, without its CRLF and not counting a stuffed
 * dot (RFC 5321 §4.5.3.1.6: 1000 octets including CRLF).
 */
export const MAX_TEXT_LINE_OCTETS = 998;

/** An empty Buffer shared by every "nothing to emit" return; never written to. */
export const EMPTY: Buffer = Buffer.alloc(0);

/** A Buffer view of `chunk` (no copy). */
export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * `src[from..src.length)` with `bytes[k]` inserted before position `at[k]` (positions
 * ascending, equal positions kept in order). Returns a view of `src` when nothing is inserted.
 */
export function withInsertions(src: Buffer, from: number, at: readonly number[], bytes: readonly number[]): Buffer {
  const count = at.length;
  if (count === 0) return from === 0 ? src : src.subarray(from);
  const out = Buffer.allocUnsafe(src.length - from + count);
  let o = 0;
  let s = from;
  for (let k = 0; k < count; k++) {
    const p = at[k]!;
    if (p > s) o += src.copy(out, o, s, p);
    out[o++] = bytes[k]!;
    s = p;
  }
  if (s < src.length) src.copy(out, o, s);
  return out;
}

/**
 * `src[0..end)` without the bytes at positions `del` (ascending, distinct), as views of `src`
 * between the deleted bytes (no copy, no allocation of body bytes: a large body with many
 * stuffed dots costs no memory traffic beyond the network read). Empty pieces are left out.
 */
export function splitAround(src: Buffer, end: number, del: readonly number[]): Buffer[] {
  const count = del.length;
  if (count === 0) return end === 0 ? [] : [end === src.length ? src : src.subarray(0, end)];
  const out: Buffer[] = [];
  let s = 0;
  for (let k = 0; k < count; k++) {
    const p = del[k]!;
    if (p > s) out.push(src.subarray(s, p));
    s = p + 1;
  }
  if (s < end) out.push(src.subarray(s, end));
  return out;
}
