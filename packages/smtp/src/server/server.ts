/**
 * The SMTP/LMTP server: accepts connections and runs one {@link Session} per connection.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { ServerChannel, type ChannelError } from './channel.js';
import { serverHandshake } from './handshake.js';
import { resolveConfig, reply, type ServerConfig } from './context.js';
import { Session } from './session.js';
import type { SMTPServerOptions } from './types.js';

/** Where to listen. Loopback by default. */
export interface ListenOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: a free port (read it from the result). */
  port?: number;
}

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
  readonly #config: ServerConfig;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<Promise<void>>();
  /** Running sessions, to say goodbye through their current (possibly TLS) socket. */
  readonly #live = new Set<Session>();
  #closing = false;

  constructor(options: SMTPServerOptions) {
    this.#config = resolveConfig(options);
    this.#server = createServer({ pauseOnConnect: true }, (socket) => this.#accept(socket));
  }

  /** Open connections right now. */
  get connections(): number {
    return this.#sockets.size;
  }

  /** Starts listening; resolves with the bound address (its `port` when you asked for 0). */
  async listen(options: ListenOptions = {}): Promise<AddressInfo> {
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host, port: options.port ?? 0, backlog: 1024 }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    this.#config.log(`smtp listening on ${address.address}:${address.port}${this.#config.options.secure ? ' (implicit TLS)' : this.#config.tls ? ' (STARTTLS)' : ''}`);
    return address;
  }

  /** The bound address, once listening. */
  address(): AddressInfo | undefined {
    return (this.#server.address() as AddressInfo | null) ?? undefined;
  }

  /**
   * Stops accepting, tells idle clients `421` (RFC 5321 §3.8) and waits for the sessions to
   * end; sessions still running after `graceMs` are destroyed.
   */
  async close(graceMs = 2000): Promise<void> {
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const timer = setTimeout(() => {
      for (const socket of this.#sockets) socket.destroy();
    }, graceMs);
    const bye = reply(421, '4.3.2', `${this.#config.hostname} Service shutting down`);
    for (const session of this.#live) {
      const current = session.channel.socket;
      if (session.channel.upgrading) current.destroy();
      else if (!current.destroyed && current.writable) current.end(bye);
    }
    await Promise.allSettled([...this.#sessions]);
    clearTimeout(timer);
    await closed;
  }

  #accept(socket: Socket): void {
    socket.on('error', () => undefined); // reported through the channel; never crash the process
    if (this.#closing || this.#sockets.size >= this.#config.maxConnections) {
      // RFC 5321 §3.1: 421 when the service is not available.
      socket.end(reply(421, '4.3.2', `${this.#config.hostname} Too many connections, try again later`));
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
        this.#config.log(`smtp TLS handshake from ${socket.remoteAddress ?? '?'} failed: ${(error as ChannelError).message}`);
        socket.destroy();
        return;
      }
      stream.on('error', () => undefined);
    }
    const session = new Session(this.#config, new ServerChannel(stream), socket);
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

/** Creates an {@link SMTPServer}; call `listen()` to start it. */
export function createSMTPServer(options: SMTPServerOptions): SMTPServer {
  return new SMTPServer(options);
}
