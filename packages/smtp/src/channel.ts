/**
 * Reading replies from a connection: line reads through the transport, assembly in
 * `protocol/reply.ts`, and the mapping of what goes wrong to typed errors. A 421 anywhere
 * closes the connection (RFC 5321 §3.8) with a transient error.
 */
import { MailError, type Connection, type Phase } from '@mail/transport';
import { SMTPServerDisconnectedError, toMailError } from './errors.js';
import { SMTPProtocolError } from './protocol/errors.js';
import { ReplyAssembler, describeReply, type Reply } from './protocol/reply.js';

/** Options of one reply read. */
export interface ReplyReadOptions {
  phase?: Phase;
  deadline?: number;
  signal?: AbortSignal | undefined;
}

/** The reply side of one SMTP/LMTP session. */
export class ReplyChannel {
  readonly conn: Connection;
  readonly #assembler = new ReplyAssembler();
  /** Set once the server sent 421 or the connection failed. */
  closedReply: Reply | undefined;

  constructor(conn: Connection) {
    this.conn = conn;
  }

  /**
   * Before a new command: anything the server sent unasked is a protocol error, never the
   * answer to that command (SECURITY.md promise 4). An unsolicited 421 is the server closing
   * the session (RFC 5321 §3.8) and reported as such.
   */
  async checkUnsolicited(signal?: AbortSignal): Promise<void> {
    if (!this.conn.hasBufferedData()) return;
    const reply = await this.read({ signal, deadline: Date.now() + 1000 });
    const error = new MailError('MAIL_PROTOCOL', `unsolicited reply from the server: ${describeReply(reply)}`);
    this.conn.destroy(error);
    throw error;
  }

  /**
   * Reads one complete reply (all lines share one deadline). Lines already buffered (pipelined
   * replies arrive several per network read) are taken synchronously, without a promise each.
   */
  read(options: ReplyReadOptions = {}): Promise<Reply> {
    if (options.signal?.aborted !== true) {
      try {
        const reply = this.readBuffered();
        if (reply !== undefined) return Promise.resolve(reply);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return this.#readWaiting(options);
  }

  /** A complete reply from what is buffered, or undefined (partial lines stay assembled). */
  readBuffered(): Reply | undefined {
    for (;;) {
      let line: string | undefined;
      try {
        line = this.conn.readLineNow();
      } catch (error) {
        throw mapReadError(error);
      }
      if (line === undefined) return undefined;
      const reply = this.#accept(line);
      if (reply !== undefined) return reply;
    }
  }

  /**
   * The reply read as one connection read (one promise and one wait for all its lines, where
   * a read per line cost an async function and a promise each).
   */
  #readWaiting(options: ReplyReadOptions): Promise<Reply> {
    const phase = options.phase ?? 'command';
    const deadline = options.deadline ?? this.conn.deadline(phase);
    return this.conn.readLines(this.#take, { phase, deadline, signal: options.signal }).then(delivered, rejectMapped);
  }

  /**
   * A line for {@link ReplyChannel.#readWaiting}. What the assembler refuses comes back as a
   * value and is thrown by the caller, as when lines were read one by one: the connection
   * read itself succeeded (a malformed reply or a 421 has already destroyed the connection).
   */
  readonly #take = (line: string): Reply | Refused | undefined => {
    try {
      return this.#accept(line);
    } catch (error) {
      return new Refused(error);
    }
  };

  /** One line into the assembler: the complete reply, if this was its last line. */
  #accept(line: string): Reply | undefined {
    let reply: Reply | undefined;
    try {
      reply = this.#assembler.push(line);
    } catch (error) {
      // A malformed reply leaves the session out of sync: nothing after it can be trusted.
      const mapped = toMailError(error) as MailError;
      if (error instanceof SMTPProtocolError) this.conn.destroy(mapped);
      throw mapped;
    }
    if (reply === undefined) return undefined;
    if (reply.code === 421) {
      // RFC 5321 §3.8: 421 = the server is closing the transmission channel.
      this.closedReply = reply;
      this.conn.destroy(new SMTPServerDisconnectedError('the server closed the session', reply));
      throw new SMTPServerDisconnectedError('the server closed the session', reply);
    }
    return reply;
  }
}

/** A reply line the assembler refused, with what it threw. */
class Refused {
  constructor(readonly error: unknown) {}
}

function delivered(value: Reply | Refused): Reply {
  if (value instanceof Refused) throw value.error;
  return value;
}

function rejectMapped(error: unknown): never {
  throw mapReadError(error);
}

/** Connection loss becomes SMTPServerDisconnectedError; everything else stays as it is. */
export function mapReadError(error: unknown): unknown {
  if (MailError.hasCode(error, 'MAIL_CONNECTION_CLOSED')) {
    return new SMTPServerDisconnectedError('the connection closed unexpectedly', undefined, error);
  }
  return error;
}
