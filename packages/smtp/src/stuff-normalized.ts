/**
 * Dot-stuffing of content that is already normalised (RFC 5321 §4.5.2), without a second
 * line walk: the message read whole was walked once by the normaliser, and in its output every
 * line ending is CRLF (no bare CR or LF is left, RFC 5321 §2.3.8), so a line starts exactly at
 * octet 0 and right after every LF. The dots to double are therefore found by one native
 * search for LF "." per stuffed dot (plus one), not two `indexOf` calls per line.
 */

const LF = 0x0a;
const DOT = 0x2e;
const LF_DOT = Buffer.from('\n.', 'latin1');
const TERMINATOR = Buffer.from('.\r\n', 'latin1');
const CRLF_TERMINATOR = Buffer.from('\r\n.\r\n', 'latin1');

/**
 * Appends to `out` the DATA form of `chunks` (normalised content, as `prepareBody` keeps a
 * complete message): views of the chunks, each doubled dot being the chunk's own dot ending
 * one view and starting the next, then the end of data (`CRLF.CRLF`, whose first CRLF is the
 * content's own last line ending). Returns the octets appended.
 *
 * Only for normalised content: a bare LF would start a line this does not know about and a
 * bare CR would end one it misses; the caller passes only what the normaliser produced.
 */
export function stuffNormalized(chunks: readonly Buffer[], out: Buffer[]): number {
  let atLineStart = true;
  let bytes = 0;
  for (const chunk of chunks) {
    const n = chunk.length;
    if (n === 0) continue;
    let s = 0;
    // A line starts at the chunk's first octet: the body's start, or after a chunk ending with LF.
    if (atLineStart && chunk[0] === DOT) {
      out.push(chunk.subarray(0, 1));
      bytes++;
    }
    for (let p = chunk.indexOf(LF_DOT); p !== -1; p = chunk.indexOf(LF_DOT, p + 2)) {
      // This view ends with the dot; the next one starts with it again.
      out.push(chunk.subarray(s, p + 2));
      bytes += p + 2 - s;
      s = p + 1;
    }
    out.push(s === 0 ? chunk : chunk.subarray(s));
    bytes += n - s;
    atLineStart = chunk[n - 1] === LF;
  }
  // Empty content is just ".CRLF": the CRLF ending the DATA line is the first one (RFC 5321 §4.1.1.4).
  const end = atLineStart ? TERMINATOR : CRLF_TERMINATOR;
  out.push(end);
  return bytes + end.length;
}
