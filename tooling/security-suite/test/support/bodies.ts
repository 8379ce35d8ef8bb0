// Message bodies for the smuggling table: every end-of-data look-alike from the SMTP
// smuggling research (CVE-2023-51764/51765/51766), and every way a body can be handed in.
import { Readable } from 'node:stream';
import { splitAt } from '@mail/test-servers';

/** End-of-data look-alikes a lenient receiver might take for `<CRLF>.<CRLF>`. */
export const SMUGGLING_SHAPES: ReadonlyArray<readonly [string, string]> = [
  ['\\n.\\n', '\n.\n'],
  ['\\r.\\r', '\r.\r'],
  ['\\r\\n.\\n', '\r\n.\n'],
  ['\\n.\\r\\n', '\n.\r\n'],
  ['\\r.\\r\\n', '\r.\r\n'],
  ['\\r\\n.\\r', '\r\n.\r'],
  ['\\r\\n.\\r\\n (the real terminator)', '\r\n.\r\n'],
  ['\\r\\r\\n.\\r\\r\\n (CR before CRLF)', '\r\r\n.\r\r\n'],
  ['\\n\\r.\\n\\r (reversed pairs)', '\n\r.\n\r'],
  ['\\r\\n..\\r\\n (already stuffed)', '\r\n..\r\n'],
];

/** A message that, on a lenient server, would end early and start a second transaction. */
export function smugglingMessage(shape: string): string {
  return `Subject: smuggling\r\n\r\nbefore${shape}MAIL FROM:<evil@example.net>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nSubject: forged\r\n\r\nsmuggled${shape}QUIT\r\n`;
}

/** RFC 5321 §2.3.8: every bare CR and bare LF becomes CRLF; the body ends with CRLF. */
export function normalised(text: string): string {
  const out = text.replace(/\r\n|\r|\n/g, '\r\n');
  return out.endsWith('\r\n') ? out : `${out}\r\n`;
}

/** Deterministic pseudo-random cut points (a small LCG), so failures reproduce. */
function cuts(length: number, seed: number): number[] {
  const out: number[] = [];
  let x = seed;
  for (let at = 0; at < length; ) {
    x = (x * 1103515245 + 12345) % 2147483648;
    at += 1 + (x % 5);
    if (at < length) out.push(at);
  }
  return out;
}

/** The input types a body can come as (fresh source per call: streams are read once). */
export const INPUT_TYPES: ReadonlyArray<readonly [string, (text: string) => unknown]> = [
  ['string', (t) => t],
  ['bytes', (t) => new Uint8Array(Buffer.from(t, 'latin1'))],
  ['Node stream, 3-byte chunks', (t) => Readable.from(splitAt(Buffer.from(t, 'latin1'), Array.from({ length: Math.floor(t.length / 3) }, (_, i) => (i + 1) * 3)))],
  ['async iterable, one byte per chunk', (t) => (async function* () { for (const b of Buffer.from(t, 'latin1')) yield Buffer.from([b]); })()],
  ['iterable, seeded random cuts', (t) => splitAt(Buffer.from(t, 'latin1'), cuts(t.length, 7))],
];

/** True when every CR is followed by LF and every LF preceded by CR. */
export function onlyCrlf(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a) return false;
    if (bytes[i] === 0x0a && bytes[i - 1] !== 0x0d) return false;
  }
  return true;
}
