/**
 * DATA (RFC 5321 §4.1.1.4) and BDAT (RFC 3030): stream the content to `onData`, then answer
 * once (SMTP) or once per recipient (LMTP, RFC 2033 §4.2).
 */
import { randomBytes } from 'node:crypto';
import { hookReply } from './context.js';
import { HOOK_TIMEOUT_REPLY } from './call-hook.js';
import { callDataHook } from './data-hook.js';
import { TIMED_OUT } from './hook-timeout.js';
import { ChunkReader, DotDataReader, MessageRejectedError, type DataProblem } from './data.js';
import type { Session } from './session.js';
import type { ServerReply } from './types.js';

function refusal(problem: DataProblem): ServerReply {
  return problem === 'too-large'
    ? { code: 552, enhanced: '5.3.4', message: 'Message size exceeds fixed limit' }
    : // RFC 5321 §2.3.8: bare CR/LF is never a line end; refusing keeps smuggled messages out.
      { code: 554, enhanced: '5.6.0', message: 'Message contains bare CR or LF (RFC 5321 2.3.8); not delivered' };
}

/** Runs `onData` over `stream`, then sends the final reply(ies). */
async function deliver(session: Session, stream: AsyncIterable<Buffer>, finish: () => Promise<DataProblem | 'aborted' | undefined>): Promise<void> {
  const envelope = session.envelope!;
  const outcome = await callDataHook(session, stream, envelope);
  // Read the rest of the content even when the consumer stopped early, to stay in sync.
  const problem = await finish();
  session.resetTransaction();
  if (problem === 'aborted') {
    session.log(`aborted from=<${envelope.mailFrom.address}> (BDAT interrupted)`);
    return;
  }
  const queueId = randomBytes(6).toString('hex').toUpperCase();
  const accept: ServerReply = { code: 250, enhanced: '2.0.0', message: `OK queued as ${queueId}` };
  const count = session.lmtp ? envelope.rcptTo.length : 1;
  const replies: ServerReply[] = [];
  for (let i = 0; i < count; i++) {
    if (problem) replies.push(refusal(problem));
    else if (outcome instanceof MessageRejectedError) replies.push(refusal(outcome.problem));
    // Not delivered: the client keeps the message and retries (RFC 5321 §4.2.2, 451).
    else if (outcome === TIMED_OUT) replies.push(HOOK_TIMEOUT_REPLY);
    else {
      const one = Array.isArray(outcome) ? outcome[i] : outcome;
      replies.push(hookReply(one, accept, (l) => session.log(l)));
    }
  }
  for (const r of replies) session.send(r.code, r.enhanced, r.message ?? '');
  const ok = replies.filter((r) => r.code < 300).length;
  session.log(
    `${problem ?? (outcome === TIMED_OUT ? 'timed out' : ok > 0 ? 'delivered' : 'refused')} from=<${envelope.mailFrom.address}> rcpts=${envelope.rcptTo.length} size=${size(stream)}${ok > 0 && !problem ? ` id=${queueId}` : ''}`,
  );
}

const sizes = new WeakMap<object, () => number>();
function size(stream: object): number {
  return sizes.get(stream)?.() ?? 0;
}

/** DATA. */
export async function handleData(session: Session, arg: string): Promise<void> {
  if (arg !== '') return session.bad(501, '5.5.4', 'Syntax: DATA');
  if (!session.envelope) return session.bad(503, '5.5.1', 'Need MAIL command');
  // RFC 2920 §3.1 / RFC 5321 §3.3: no valid recipients -> 554, and no 354.
  if (session.envelope.rcptTo.length === 0) return session.bad(554, '5.5.1', 'No valid recipients');
  session.send(354, undefined, 'End data with <CR><LF>.<CR><LF>');
  await session.channel.flush(true);
  session.envelope.transfer = 'DATA';
  const reader = new DotDataReader(session.channel, session.config.maxMessageSize, Date.now() + session.config.dataTimeout);
  const stream = reader.stream();
  sizes.set(stream, () => reader.size);
  await deliver(session, stream, async () => {
    await reader.drain();
    return reader.rejected;
  });
}

const BDAT = /^(\d{1,15})(?: +(LAST))? *$/i;

/**
 * BDAT <size> [LAST]. The first BDAT of a transaction starts `onData` with a stream that
 * spans every chunk; intermediate chunks are acknowledged from inside the stream. A
 * command other than BDAT between chunks aborts the transaction (RFC 3030 §2: RSET).
 */
export async function handleBdat(session: Session, arg: string): Promise<void> {
  const m = BDAT.exec(arg);
  if (!m) return session.bad(501, '5.5.4', 'Syntax: BDAT size [LAST]');
  let length = Number(m[1]);
  let last = m[2] !== undefined;
  const envelope = session.envelope;
  if (!envelope || envelope.rcptTo.length === 0) {
    // The chunk is on its way regardless: read it so the stream stays in sync.
    const sink = new ChunkReader(session.channel, Infinity, Date.now() + session.config.dataTimeout, length, false, 0);
    await sink.drain();
    return session.bad(envelope ? 554 : 503, '5.5.1', envelope ? 'No valid recipients' : 'Need MAIL command');
  }
  envelope.transfer = 'BDAT';
  let reader: ChunkReader | undefined;
  let total = 0;
  let endedWithCR = false;
  let problem: DataProblem | undefined;
  let interrupted = false;
  const nextChunk = (): ChunkReader => {
    const r = new ChunkReader(session.channel, session.config.maxMessageSize, Date.now() + session.config.dataTimeout, length, endedWithCR, total);
    reader = r;
    return r;
  };
  /** After a non-LAST chunk: acknowledge, then read the next BDAT; false if something else came. */
  const advance = async (): Promise<boolean> => {
    total = reader!.size;
    endedWithCR = reader!.endedWithCR;
    problem ??= reader!.rejected;
    session.send(problem ? refusal(problem).code : 250, problem ? refusal(problem).enhanced : '2.0.0', problem ? refusal(problem).message! : `${length} octets received`);
    const line = await session.readLine();
    session.trace('C', line.text);
    const next = line.bare ? null : BDAT.exec(line.text.replace(/^BDAT /i, ''));
    if (!/^BDAT /i.test(line.text) || !next) {
      interrupted = true;
      session.resetTransaction();
      session.bad(503, '5.5.1', 'Expected BDAT; transaction aborted');
      return false;
    }
    length = Number(next[1]);
    last = next[2] !== undefined;
    return true;
  };
  async function* content(): AsyncGenerator<Buffer> {
    for (;;) {
      const r = nextChunk();
      for (;;) {
        const chunk = await r.next();
        if (chunk === null) break;
        yield chunk;
      }
      if (last) return;
      if (!(await advance())) throw new Error('BDAT transaction interrupted');
    }
  }
  const stream = content();
  sizes.set(stream, () => reader?.size ?? total);
  await deliver(session, stream, async () => {
    // Consume what the consumer left: the rest of this chunk and any further chunks.
    while (!interrupted) {
      if (reader === undefined) nextChunk();
      await reader!.drain();
      problem ??= reader!.rejected;
      if (last) break;
      if (!(await advance())) break;
      nextChunk();
    }
    return interrupted ? 'aborted' : problem;
  });
}
