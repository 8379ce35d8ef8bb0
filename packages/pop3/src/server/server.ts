/**
 * The POP3 server: accepts connections and runs one {@link POP3Session} per connection.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { ServerChannel, type ChannelError } from './channel.js';
import { serverHandshake } from './handshake.js';
import { resolvePOP3Config, type POP3Config } from './config.js';
import { POP3Session } from './session.js';
import type { POP3ServerOptions } from './types.js';

/** Where to listen. Loopback by default. */
export interface POP3ListenOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
}

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
  readonly #config: POP3Config;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<Promise<void>>();
  /** Running sessions, to say goodbye through their current (possibly TLS) socket. */
  readonly #live = new Set<POP3Session>();
  #closing = false;

  constructor(options: POP3ServerOptions) {
    this.#config = resolvePOP3Config(options);
    this.#server = createServer({ pauseOnConnect: true }, (socket) => this.#accept(socket));
  }

  /** Open connections right now. */
  get connections(): number {
    return this.#sockets.size;
  }

  /** Starts listening; resolves with the bound address. */
  async listen(options: POP3ListenOptions = {}): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, backlog: 1024 }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    this.#config.log(`pop3 listening on ${address.address}:${address.port}${this.#config.options.secure ? ' (implicit TLS)' : this.#config.tls ? ' (STLS)' : ''}`);
    return address;
  }

  /** The bound address, once listening. */
  address(): AddressInfo | undefined {
    return (this.#server.address() as AddressInfo | null) ?? undefined;
  }

  /**
   * Stops accepting and closes every session without entering UPDATE (deletions of
   * unfinished sessions are not applied, RFC 1939 §6); waits at most `graceMs`.
   */
  async close(graceMs = 2000): Promise<void> {
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    // RFC 1939 has no server goodbye; end the (possibly TLS) stream cleanly, without UPDATE.
    for (const session of this.#live) {
      if (session.channel.upgrading) session.channel.socket.destroy();
      else session.channel.socket.end();
    }
    const timer = setTimeout(() => {
      for (const socket of this.#sockets) socket.destroy();
    }, graceMs);
    await Promise.allSettled([...this.#sessions]);
    clearTimeout(timer);
    await closed;
  }

  #accept(socket: Socket): void {
    socket.on('error', () => undefined);
    if (this.#closing || this.#sockets.size >= this.#config.maxConnections) {
      socket.end('-ERR [SYS/TEMP] Too many connections, try again later\r\n');
      return;
    }
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    socket.setNoDelay(true);
    const run = this.#run(socket).finally(() => this.#sessions.delete(run));
    this.#sessions.add(run);
  }

  async #run(socket: Socket): Promise<void> {
    let stream: Socket = socket;
    if (this.#config.options.secure) {
      try {
        stream = await serverHandshake(socket, this.#config.tls!, Date.now() + this.#config.tlsTimeout);
      } catch (error) {
        this.#config.log(`pop3 TLS handshake from ${socket.remoteAddress ?? '?'} failed: ${(error as ChannelError).message}`);
        socket.destroy();
        return;
      }
      stream.on('error', () => undefined);
    }
    const session = new POP3Session(this.#config, new ServerChannel(stream), socket);
    session.log(`connection from ${session.remoteAddress}:${session.remotePort}${this.#config.options.secure ? ` (${session.channel.tlsDescription()})` : ''}`);
    this.#live.add(session);
    try {
      await session.run();
    } finally {
      this.#live.delete(session);
    }
    session.log('closed');
  }
}

/** Creates a {@link POP3Server}; call `listen()` to start it. */
export function createPOP3Server(options: POP3ServerOptions): POP3Server {
  return new POP3Server(options);
}
