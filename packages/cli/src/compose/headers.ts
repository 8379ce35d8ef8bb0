/**
 * Reading the header block of a raw RFC 5322 message: envelope from its headers (as
 * `sendmail -t` does) and removal of Bcc before sending (RFC 5322 §3.6.3).
 */
import addressparser from 'nodemailer/lib/addressparser';

/** One header field, unfolded. */
export interface HeaderField {
  name: string;
  value: string;
}

/** Where the header block ends: the offset of the blank line and the body start. */
export function headerEnd(message: Buffer): { end: number; bodyStart: number } {
  const crlf = message.indexOf('\r\n\r\n');
  const lf = message.indexOf('\n\n');
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { end: crlf + 2, bodyStart: crlf + 4 };
  if (lf !== -1) return { end: lf + 1, bodyStart: lf + 2 };
  return { end: message.length, bodyStart: message.length };
}

/** Parses the header fields of a raw message (unfolding continuation lines, RFC 5322 §2.2.3). */
export function parseHeaders(message: Buffer): HeaderField[] {
  const { end } = headerEnd(message);
  const text = message.subarray(0, end).toString('utf8');
  const fields: HeaderField[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    const last = fields.at(-1);
    if (/^[ \t]/.test(line) && last) {
      last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return fields;
}

/** All addresses in the named header fields, flattened (groups included). */
export function addressesIn(fields: HeaderField[], names: string[]): string[] {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const out: string[] = [];
  for (const f of fields) {
    if (!wanted.has(f.name.toLowerCase())) continue;
    for (const a of addressparser(f.value, { flatten: true })) if (a.address) out.push(a.address);
  }
  return out;
}

/** The envelope a raw message implies: sender from From (or Sender), recipients from To/Cc/Bcc. */
export function envelopeFromHeaders(message: Buffer): { from: string | undefined; to: string[] } {
  const fields = parseHeaders(message);
  const from = addressesIn(fields, ['Sender'])[0] ?? addressesIn(fields, ['From'])[0];
  return { from, to: [...new Set(addressesIn(fields, ['To', 'Cc', 'Bcc']))] };
}

/** Removes every Bcc field (with its continuation lines) from the header block. */
export function stripBcc(message: Buffer): Buffer {
  const { end } = headerEnd(message);
  const head = message.subarray(0, end).toString('latin1');
  const lines = head.split(/(?<=\n)/);
  const kept: string[] = [];
  let dropping = false;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && dropping) continue;
    dropping = /^bcc\s*:/i.test(line);
    if (!dropping) kept.push(line);
  }
  return Buffer.concat([Buffer.from(kept.join(''), 'latin1'), message.subarray(end)]);
}

/** Extracts the bare address from `Name <addr>` or `addr`. */
export function bareAddress(input: string): string {
  const parsed = addressparser(input, { flatten: true });
  return parsed[0]?.address || input.trim();
}
