/**
 * The POP3 server: accepts connections and runs one {@link POP3Session} per connection.
 */
import type { AddressInfo } from 'node:net';
import { ServerListener, type ListenOptions } from '@mail/transport';
import { resolvePOP3Config } from './config.js';
import { POP3Session } from './session.js';
import type { POP3ServerOptions } from './types.js';

/** Where to listen. Loopback by default (`127.0.0.1`, port 0: a free port). */
export type POP3ListenOptions = ListenOptions;

/**
 * A POP3 server over any {@link Mailbox} store.
 *
 * @example
 * ```ts
 * const server = createPOP3Server({ auth: { users }, openMailbox: async (user) => new MaildirMailbox(await Maildir.open(dir(user))) });
 * const { port } = await server.listen();
 * ```
 */
export class POP3Server {
  readonly #listener: ServerListener<POP3Session>;

  constructor(options: POP3ServerOptions) {
    const config = resolvePOP3Config(options);
    this.#listener = new ServerListener({
      protocol: 'pop3',
      startTLSName: 'STLS',
      config,
      // RFC 3206: [SYS/TEMP], a transient server-side problem.
      busyReply: '-ERR [SYS/TEMP] Too many connections, try again later\r\n',
      // No goodbye: RFC 1939 has none, so close ends the stream without entering UPDATE.
      createSession: (channel, socket) => new POP3Session(config, channel, socket),
    });
  }

  /** Open connections right now. */
  get connections(): number {
    return this.#listener.connections;
  }

  /** Starts listening; resolves with the bound address. */
  listen(options: POP3ListenOptions = {}): Promise<AddressInfo> {
    return this.#listener.listen(options);
  }

  /** The bound address, once listening. */
  address(): AddressInfo | undefined {
    return this.#listener.address();
  }

  /**
   * Stops accepting and closes every session without entering UPDATE (deletions of
   * unfinished sessions are not applied, RFC 1939 §6); waits at most `graceMs`.
   */
  close(graceMs = 2000): Promise<void> {
    return this.#listener.close(graceMs);
  }
}

/** Creates a {@link POP3Server}; call `listen()` to start it. */
export function createPOP3Server(options: POP3ServerOptions): POP3Server {
  return new POP3Server(options);
}
