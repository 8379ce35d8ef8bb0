/**
 * The SMTP/LMTP server: accepts connections and runs one {@link Session} per connection.
 */
import type { AddressInfo } from 'node:net';
import { ServerListener, type ListenOptions as SharedListenOptions } from '@mail/transport';
import { resolveConfig, reply } from './context.js';
import { Session } from './session.js';
import type { SMTPServerOptions } from './types.js';

/** Where to listen. Loopback by default (`127.0.0.1`, port 0: a free port). */
export type ListenOptions = SharedListenOptions;

/**
 * An SMTP (or LMTP) server for tests, development and embedding.
 *
 * @example
 * ```ts
 * const server = createSMTPServer({ async onData(message, envelope) { for await (const c of message) store(c) } });
 * const { port } = await server.listen({ port: 0 });
 * // ... send mail to 127.0.0.1:port ...
 * await server.close();
 * ```
 */
export class SMTPServer {
  readonly #listener: ServerListener<Session>;

  constructor(options: SMTPServerOptions) {
    const config = resolveConfig(options);
    this.#listener = new ServerListener({
      protocol: 'smtp',
      startTLSName: 'STARTTLS',
      config,
      // RFC 5321 §3.1: 421 when the service is not available.
      busyReply: reply(421, '4.3.2', `${config.hostname} Too many connections, try again later`),
      // RFC 5321 §3.8: a server shutting down answers 421.
      goodbye: reply(421, '4.3.2', `${config.hostname} Service shutting down`),
      createSession: (channel, socket) => new Session(config, channel, socket),
    });
  }

  /** Open connections right now. */
  get connections(): number {
    return this.#listener.connections;
  }

  /** Starts listening; resolves with the bound address (its `port` when you asked for 0). */
  listen(options: ListenOptions = {}): Promise<AddressInfo> {
    return this.#listener.listen(options);
  }

  /** The bound address, once listening. */
  address(): AddressInfo | undefined {
    return this.#listener.address();
  }

  /**
   * Stops accepting, tells idle clients `421` (RFC 5321 §3.8) and waits for the sessions to
   * end; sessions still running after `graceMs` are destroyed.
   */
  close(graceMs = 2000): Promise<void> {
    return this.#listener.close(graceMs);
  }
}

/** Creates an {@link SMTPServer}; call `listen()` to start it. */
export function createSMTPServer(options: SMTPServerOptions): SMTPServer {
  return new SMTPServer(options);
}
