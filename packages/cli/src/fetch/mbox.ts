/**
 * mboxrd encoding (https://www.loc.gov/preservation/digital/formats/fdd/fdd000385.shtml,
 * RFC 4155): a `From ` separator line per message, every line matching `>*From ` gets one
 * more `>`, so the encoding is reversible. Lines end in LF, each message ends with a blank line.
 */
import { parseHeaders, addressesIn } from '../compose/headers.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** asctime(3) format in UTC, as the `From ` line carries it. */
export function asctime(date: Date): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, ' ')} ${p2(date.getUTCHours())}:${p2(date.getUTCMinutes())}:${p2(date.getUTCSeconds())} ${date.getUTCFullYear()}`;
}

/** The envelope sender for the `From ` line: Return-Path, else From, else MAILER-DAEMON. */
export function envelopeSender(message: Buffer): string {
  const fields = parseHeaders(message);
  const rp = fields.find((f) => f.name.toLowerCase() === 'return-path')?.value.replace(/[<>\s]/g, '');
  const sender = rp || addressesIn(fields, ['From'])[0] || 'MAILER-DAEMON';
  return sender.replace(/\s/g, '') || 'MAILER-DAEMON';
}

/** Encodes one message as an mboxrd entry. */
export function encodeMboxrd(message: Buffer, received: Date = new Date()): Buffer {
  const text = message.toString('latin1').replace(/\r\n/g, '\n');
  const quoted = text.replace(/^(>*From )/gm, '>$1');
  const body = quoted.endsWith('\n') ? quoted : `${quoted}\n`;
  return Buffer.from(`From ${envelopeSender(message)} ${asctime(received)}\n${body}\n`, 'latin1');
}

/** Splits an mboxrd file back into messages (for tests and for `recover` checks). */
export function decodeMboxrd(mbox: Buffer): Buffer[] {
  const text = mbox.toString('latin1');
  const parts = text.split(/^From .*\n/m).slice(1);
  return parts.map((part) => {
    const withoutBlank = part.endsWith('\n\n') ? part.slice(0, -1) : part;
    return Buffer.from(withoutBlank.replace(/^>(>*From )/gm, '$1'), 'latin1');
  });
}
