/**
 * TRANSACTION state (RFC 1939 §5, §7): STAT, LIST, UIDL, RETR, TOP, DELE, RSET.
 * RETR and TOP stream the message through the dot-stuffer with backpressure.
 */
import { createHash } from 'node:crypto';
import type { POP3Session } from './session.js';
import { BodyStuffer, TopLimiter } from './stuff.js';

/** Flush output once this much is queued, so a big RETR never sits whole in memory. */
const FLUSH_AT = 64 * 1024;

/** RFC 1939 §7: a unique-id is 1 to 70 characters in the range 0x21 to 0x7E. */
const VALID_UID = /^[\x21-\x7e]{1,70}$/;

/**
 * The uid as UIDL shows it: the mailbox's own when valid, otherwise a stable digest of it
 * (a Maildir base name carries the host name and can exceed 70 characters).
 */
export function wireUid(uid: string): string {
  return VALID_UID.test(uid) ? uid : `H${createHash('sha256').update(uid).digest('base64url')}`;
}

/** Parses a message number that exists and is not deleted; answers -ERR otherwise. */
function message(session: POP3Session, arg: string): number | undefined {
  if (!/^\d{1,10}$/.test(arg)) {
    session.err('Invalid message number');
    return undefined;
  }
  const n = Number(arg);
  if (n < 1 || n > session.messages.length) {
    session.err('No such message');
    return undefined;
  }
  if (session.deleted.has(n)) {
    session.err('Message already deleted');
    return undefined;
  }
  return n;
}

function listing(session: POP3Session, arg: string, value: (n: number) => string): void {
  if (arg !== '') {
    const n = message(session, arg);
    if (n !== undefined) session.ok(`${n} ${value(n)}`);
    return;
  }
  session.ok();
  for (let n = 1; n <= session.messages.length; n++) if (!session.deleted.has(n)) session.line(`${n} ${value(n)}`);
  session.line('.');
}

async function send(session: POP3Session, n: number, topLines: number | undefined): Promise<void> {
  const entry = session.messages[n - 1]!;
  const stuffer = new BodyStuffer();
  const limiter = topLines === undefined ? undefined : new TopLimiter(topLines);
  const source = session.mailbox!.read(entry.uid);
  let started = false;
  try {
    for await (const raw of source) {
      const chunk = limiter ? limiter.push(raw) : raw;
      if (!started) {
        session.ok(topLines === undefined ? `${entry.size} octets` : 'Top of message follows');
        started = true;
      }
      for (const piece of stuffer.push(chunk)) session.channel.send(piece);
      if (session.channel.pendingBytes >= FLUSH_AT) await session.channel.flush(true);
      if (limiter?.done) break;
    }
  } catch (error) {
    // Before the first byte we can still answer -ERR; after it the session is out of sync.
    if (started) throw error;
    session.log(`reading message ${n} failed: ${(error as Error).message}`);
    return session.err('Unable to read message', 'SYS/TEMP');
  }
  if (!started) session.ok(topLines === undefined ? `${entry.size} octets` : 'Top of message follows');
  session.channel.send(stuffer.end());
}

/** Runs a TRANSACTION-state command. */
export async function transactionCommand(session: POP3Session, verb: string, arg: string): Promise<void> {
  switch (verb) {
    case 'STAT': {
      let count = 0;
      let size = 0;
      session.messages.forEach((m, i) => {
        if (!session.deleted.has(i + 1)) {
          count++;
          size += m.size;
        }
      });
      return session.ok(`${count} ${size}`);
    }
    case 'LIST':
      return listing(session, arg, (n) => String(session.messages[n - 1]!.size));
    case 'UIDL':
      return listing(session, arg, (n) => wireUid(session.messages[n - 1]!.uid));
    case 'RETR': {
      const n = message(session, arg);
      if (n !== undefined) await send(session, n, undefined);
      return;
    }
    case 'TOP': {
      const m = /^(\d{1,10}) (\d{1,10})$/.exec(arg);
      if (!m) return session.err('Syntax: TOP msg lines');
      const n = message(session, m[1]!);
      if (n !== undefined) await send(session, n, Number(m[2]));
      return;
    }
    case 'DELE': {
      const n = message(session, arg);
      if (n === undefined) return;
      session.deleted.add(n);
      return session.ok(`Message ${n} deleted`);
    }
    case 'RSET':
      session.deleted.clear();
      return session.ok(`${session.messages.length} messages`);
    default:
      return session.err('Unknown command');
  }
}
