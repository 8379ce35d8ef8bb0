/**
 * TRANSACTION state (RFC 1939 §5, §7): STAT, LIST, UIDL, RETR, TOP, DELE, RSET.
 * RETR and TOP stream the message through the dot-stuffer with backpressure.
 */
import { createHash } from 'node:crypto';
import type { POP3Session } from './session.js';
import { BodyStuffer, TopLimiter } from './stuff.js';
import { TIMED_OUT } from './hook-timeout.js';

/** A read from the message stream missed the hook deadline. */
class ReadTimeoutError extends Error {
  constructor() {
    super('read timed out');
  }
}

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
  let started = false;
  let source: AsyncIterator<Uint8Array> | undefined;
  try {
    source = session.mailbox!.read(entry.uid)[Symbol.asyncIterator]();
    const iterator = source;
    for (;;) {
      // Each read has the hook deadline: the autologout timer does not run meanwhile.
      const step = await session.reads.run(iterator.next());
      if (step === TIMED_OUT) {
        session.log(`read hook timed out after ${session.config.hookTimeout} ms`);
        throw new ReadTimeoutError();
      }
      if (step.done) break;
      const chunk = limiter ? limiter.push(step.value) : step.value;
      if (!started) {
        session.ok(topLines === undefined ? `${entry.size} octets` : 'Top of message follows');
        started = true;
      }
      for (const piece of stuffer.push(chunk)) session.channel.send(piece);
      if (session.channel.pendingBytes >= FLUSH_AT) await session.channel.flush(true);
      if (limiter?.done) {
        await source.return?.();
        break;
      }
    }
  } catch (error) {
    // A timed-out read may still be running: ask the source to stop, without waiting for it.
    if (error instanceof ReadTimeoutError) source?.return?.().catch(() => undefined);
    // Before the first byte we can still answer -ERR; after it the session is out of sync
    // (ending the listing early would pass a truncated message off as whole): it closes.
    if (started) throw error;
    session.log(`reading message ${n} failed: ${(error as Error).message}`);
    // RFC 3206 §4: [SYS/TEMP]; nothing changed, the client may RETR again.
    return session.err(error instanceof ReadTimeoutError ? 'Timeout reading message, try again later' : 'Unable to read message', 'SYS/TEMP');
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
