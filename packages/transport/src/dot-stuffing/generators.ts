/**
 * The convenient forms of the encoders: whole sources in, coalesced chunks out.
 */
import type { BodyInfo } from './inspector.js';
import { BodyInspector } from './inspector.js';
import { DotStuffer, LineEndingNormalizer, type NormalizeOptions } from './encoder.js';
import { Coalescer, chunksOf, type BodySource } from './source.js';

/**
 * Encodes a whole body for SMTP DATA (RFC 5321 §4.5.2): normalised to CRLF, dots stuffed,
 * ending with `\r\n.\r\n` (just `.\r\n` for an empty body). Yields buffers of at least
 * 64 KiB where the input allows, so the writer makes few writes; yielded buffers may be
 * views of the caller's bytes.
 *
 * @example
 * ```ts
 * for await (const chunk of dotStuff(fs.createReadStream('mail.eml'))) await conn.write(chunk);
 * ```
 * @throws MailError `MAIL_INVALID_ARGUMENT` for an unsupported source or chunk type.
 */
export async function* dotStuff(source: BodySource): AsyncGenerator<Buffer, void, undefined> {
  yield* encodeWith(new DotStuffer(), source);
}

/**
 * Normalises a whole body's line endings to CRLF without stuffing or terminator, for BDAT
 * (RFC 3030). Coalesced like {@link dotStuff}. The generator's return value is the total
 * number of octets yielded.
 */
export async function* normalize(source: BodySource, options: NormalizeOptions = {}): AsyncGenerator<Buffer, number, undefined> {
  const encoder = new LineEndingNormalizer(options);
  yield* encodeWith(encoder, source);
  return encoder.bytesOut;
}

/** Drives a streaming encoder over a source, its output coalesced into few large chunks. */
async function* encodeWith(encoder: { push(chunk: Uint8Array): Buffer; end(): Buffer }, source: BodySource): AsyncGenerator<Buffer, void, undefined> {
  const out = new Coalescer();
  for await (const chunk of chunksOf(source)) {
    const ready = out.add(encoder.push(chunk));
    if (ready) yield ready;
  }
  out.add(encoder.end());
  const last = out.flush();
  if (last) yield last;
}

/**
 * Scans a whole body with {@link BodyInspector}. This consumes the source: use it on
 * strings, bytes or re-readable sources, then encode a fresh copy.
 */
export async function inspectBody(source: BodySource): Promise<BodyInfo> {
  const inspector = new BodyInspector();
  for await (const chunk of chunksOf(source)) inspector.push(chunk);
  return inspector.end();
}
