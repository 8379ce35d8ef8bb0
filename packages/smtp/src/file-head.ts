/**
 * The header section of a message file, for `sendMessage({ path })`: read, normalised and
 * cut exactly at the empty line, so the body can be read from the file itself afterwards
 * (with bounded memory, and with the file closed in between).
 */
import { LineEndingNormalizer, MailError } from '@mail/transport';
import { FileChunks, type MessageFile } from './file-source.js';

const CR = 0x0d;
const LF = 0x0a;

/** The normalised header section (with its empty line) and where the body starts in the file. */
export interface FileHead {
  head: Buffer;
  /** Octet offset of the body in the file; undefined when the file holds no more than `head`. */
  bodyStart: number | undefined;
}

/**
 * Offset just after the empty line that ends the header section (RFC 5322 §2.1), any line
 * break counting as one (CRLF, a bare CR, a bare LF: they are all normalised to CRLF). -1
 * when not found, or when a CR at the very end of `raw` might still get its LF (`more`).
 */
export function headerEnd(raw: Buffer, more: boolean): number {
  let lineStart = 0;
  let pos = 0;
  for (;;) {
    const cr = raw.indexOf(CR, pos);
    const lf = raw.indexOf(LF, pos);
    const at = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
    if (at === -1) return -1;
    let next = at + 1;
    if (raw[at] === CR) {
      if (next === raw.length && more) return -1;
      if (raw[next] === LF) next++;
    }
    if (at === lineStart) return next;
    lineStart = next;
    pos = next;
  }
}

/**
 * Reads the file up to the end of its header section (at most `limit` octets) and closes it.
 * @throws MailError `MAIL_INVALID_ARGUMENT` when the header section is longer than `limit`.
 */
export async function readFileHead(file: MessageFile, limit: number): Promise<FileHead> {
  const chunks = new FileChunks(file);
  const raw: Buffer[] = [];
  try {
    for (;;) {
      const next = await chunks.next();
      const done = next.done === true;
      if (!done) raw.push(next.value);
      const joined = Buffer.concat(raw);
      const end = headerEnd(joined, !done);
      if (end !== -1 || done) {
        const cut = end === -1 ? joined.length : end;
        const normalizer = new LineEndingNormalizer();
        const head = Buffer.concat([normalizer.push(joined.subarray(0, cut)), normalizer.end()]);
        return { head, bodyStart: end === -1 || (done && end === joined.length) ? undefined : end };
      }
      if (joined.length > limit) throw new MailError('MAIL_INVALID_ARGUMENT', 'the header section is longer than 1 MiB');
    }
  } finally {
    await chunks.return();
  }
}
