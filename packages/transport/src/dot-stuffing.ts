/**
 * Dot-stuffing and line-ending normalisation for message content (RFC 5321 §4.5.2,
 * RFC 1939 §3, RFC 3030): streaming, chunk-boundary safe, at memory-scan speed.
 */
export { MAX_TEXT_LINE_OCTETS } from './dot-stuffing/bytes.js';
export { DotStuffer, LineEndingNormalizer, type EncoderOptions, type EncoderStats, type NormalizeOptions } from './dot-stuffing/encoder.js';
export { DotUnstuffer, type DotUnstufferOptions, type UnstuffResult } from './dot-stuffing/decoder.js';
export { BodyInspector, type BodyInfo } from './dot-stuffing/inspector.js';
export { dotStuff, normalize, inspectBody } from './dot-stuffing/generators.js';
export {
  COALESCE_BYTES,
  chunksOf,
  type BodyChunk,
  type BodySource,
  type ReadableStreamLike,
  type ReadableStreamReaderLike,
} from './dot-stuffing/source.js';
