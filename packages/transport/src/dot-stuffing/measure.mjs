#!/usr/bin/env node
// Throughput of the dot-stuffing transforms, 100 MiB in memory. Not a test: run by hand
// after `pnpm --filter @mail/transport build`:  node packages/transport/src/dot-stuffing/measure.mjs
// (plain .mjs so it is neither compiled into dist nor published).
import { DotStuffer, DotUnstuffer, LineEndingNormalizer, BodyInspector } from '../../dist/dot-stuffing.js';

const MiB = 1024 * 1024;
const SIZE = 100 * MiB;
const CHUNK = 64 * 1024;

/** About 100 MiB of whole lines, cut into 64 KiB chunks (lines straddle chunk boundaries). */
function corpus(line) {
  const l = Buffer.from(line, 'latin1');
  const buf = Buffer.alloc(SIZE - (SIZE % l.length));
  for (let o = 0; o < buf.length; ) o += l.copy(buf, o);
  const chunks = [];
  for (let i = 0; i < buf.length; i += CHUNK) chunks.push(buf.subarray(i, i + CHUNK));
  return chunks;
}

function time(label, chunks, fn) {
  const size = chunks.reduce((n, c) => n + c.length, 0);
  fn(chunks); // warm up
  const runs = 5;
  let best = Infinity;
  let out = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    out = fn(chunks);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  console.log(`${label.padEnd(58)} ${(size / 1e6 / best).toFixed(0).padStart(6)} MB/s  (${out} bytes out)`);
}

const encode = (chunks) => {
  const enc = new DotStuffer();
  let n = 0;
  for (const c of chunks) n += enc.push(c).length;
  return n + enc.end().length;
};
const normalizeAll = (chunks) => {
  const enc = new LineEndingNormalizer();
  let n = 0;
  for (const c of chunks) n += enc.push(c).length;
  return n + enc.end().length;
};
const inspect = (chunks) => {
  const ins = new BodyInspector();
  for (const c of chunks) ins.push(c);
  return ins.end().size;
};
const decoder = (strict) => (chunks) => {
  const dec = new DotUnstuffer({ strict });
  let n = 0;
  for (const c of chunks) for (const b of dec.push(c).chunks) n += b.length;
  return n;
};
const withEnd = (chunks) => [...chunks, Buffer.from('.\r\n')];

const crlf = corpus('The quick brown fox jumps over the lazy dog, then naps in the sun. 0123\r\n');
const dotty = corpus('.A line that starts with a dot, as in a quoted signature or a diff\r\n');
const lf = corpus('The quick brown fox jumps over the lazy dog, then naps in the sun. 01234\n');

console.log(`node ${process.version}, 100 MiB in ${CHUNK / 1024} KiB chunks, best of 5`);
time('encode   DotStuffer, CRLF text, no dots', crlf, encode);
time('encode   DotStuffer, LF-only text (every line rewritten)', lf, encode);
time('encode   DotStuffer, every line starts with a dot', dotty, encode);
time('encode   LineEndingNormalizer, CRLF text', crlf, normalizeAll);
time('scan     BodyInspector, CRLF text', crlf, inspect);
time('decode   DotUnstuffer lenient, CRLF text, no dots', withEnd(crlf), decoder(false));
time('decode   DotUnstuffer strict, CRLF text, no dots', withEnd(crlf), decoder(true));
time('decode   DotUnstuffer lenient, every line stuffed', withEnd(dotty), decoder(false));
time('decode   DotUnstuffer strict, every line stuffed', withEnd(dotty), decoder(true));
time('round    encode + lenient decode, CRLF text', crlf, (chunks) => {
  const enc = new DotStuffer();
  const dec = new DotUnstuffer();
  let n = 0;
  for (const c of chunks) for (const b of dec.push(enc.push(c)).chunks) n += b.length;
  for (const b of dec.push(enc.end()).chunks) n += b.length;
  return n;
});
