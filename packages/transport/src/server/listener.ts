/**
 * `ServerListener`: the listening socket and connection bookkeeping shared by the SMTP/LMTP
 * and POP3 servers (limits, implicit TLS, one session per accepted socket, graceful close).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { ServerChannel } from './channel.js';
import type { ChannelError } from './channel-error.js';
import { serverHandshake } from './handshake.js';

/** Where to listen. Loopback by default. */
export interface ListenOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: a free port (read it from the result). */
  port?: number;
}

/** What the listener needs of a protocol session. */
export interface ListenedSession {
  readonly channel: ServerChannel;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Runs the session to its end; never throws. */
  run(): Promise<void>;
  /** Writes an info log line prefixed with the session. */
  log(text: string): void;
}

/** The resolved server settings the listener reads (both servers' configs have this shape). */
export interface ListenerConfig {
  /** `secure`: implicit TLS (RFC 8314), the handshake runs before the session starts. */
  readonly options: { readonly secure?: boolean };
  /** Server TLS material; without it there is neither implicit TLS nor an upgrade. */
  readonly tls: SecureContext | undefined;
  /** Budget of one TLS handshake, ms. */
  readonly tlsTimeout: number;
  /** Connections beyond this are refused with {@link ListenerSpec.busyReply}. */
  readonly maxConnections: number;
  /** Info log sink. */
  readonly log: (line: string) => void;
}

/** What differs between the protocols, for {@link ServerListener}. */
export interface ListenerSpec<S extends ListenedSession> {
  /** Log prefix, e.g. `smtp`. */
  protocol: string;
  /** The upgrade command's name for the listening log line, e.g. `STARTTLS` or `STLS`. */
  startTLSName: string;
  /** The server's resolved settings. */
  config: ListenerConfig;
  /** Written before closing a refused connection (too many, or shutting down). */
  busyReply: string;
  /** Written to running sessions on {@link ServerListener.close}; without it they are just ended. */
  goodbye?: string;
  /** A session for an accepted connection; `socket` is the plain TCP socket. */
  createSession(channel: ServerChannel, socket: Socket): S;
}

/** Accepts connections and runs one session per connection. */
export class ServerListener<S extends ListenedSession> {
  readonly #spec: ListenerSpec<S>;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<Promise<void>>();
  /** Running sessions, to say goodbye through their current (possibly TLS) socket. */
  readonly #live = new Set<S>();
  #closing = false;

  /** Creates the (not yet listening) server socket. */
  constructor(spec: ListenerSpec<S>) {
    this.#spec = spec;
    this.#server = createServer({ pauseOnConnect: true }, (socket) => this.#accept(socket));
  }

  /** Open connections right now. */
  get connections(): number {
    return this.#sockets.size;
  }

  /** Starts listening; resolves with the bound address (its `port` when you asked for 0). */
  async listen(options: ListenOptions = {}): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, backlog: 1024 }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    const { protocol, startTLSName, config } = this.#spec;
    config.log(`${protocol} listening on ${address.address}:${address.port}${config.options.secure ? ' (implicit TLS)' : config.tls ? ` (${startTLSName})` : ''}`);
    return address;
  }

  /** The bound address, once listening. */
  address(): AddressInfo | undefined {
    return (this.#server.address() as AddressInfo | null) ?? undefined;
  }

  /**
   * Stops accepting, says the goodbye (if any) to every running session and waits for the
   * sessions to end; sockets still open after `graceMs` are destroyed.
   */
  async close(graceMs = 2000): Promise<void> {
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const timer = setTimeout(() => {
      for (const socket of this.#sockets) socket.destroy();
    }, graceMs);
    const goodbye = this.#spec.goodbye;
    for (const session of this.#live) {
      const current = session.channel.socket;
      // Nothing may be written underneath a running TLS handshake.
      if (session.channel.upgrading) current.destroy();
      else if (goodbye === undefined) current.end();
      else if (!current.destroyed && current.writable) current.end(goodbye);
    }
    await Promise.allSettled([...this.#sessions]);
    clearTimeout(timer);
    await closed;
  }

  #accept(socket: Socket): void {
    socket.on('error', () => undefined); // reported through the channel; never crash the process
    if (this.#closing || this.#sockets.size >= this.#spec.config.maxConnections) {
      socket.end(this.#spec.busyReply);
      // Accepted paused: read (and drop) until the peer's FIN, or a refused socket would stay
      // open and hold close() forever; a peer that never closes is cut off.
      socket.resume();
      setTimeout(() => socket.destroy(), 2000).unref();
      return;
    }
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    socket.setNoDelay(true);
    const run = this.#run(socket).finally(() => this.#sessions.delete(run));
    this.#sessions.add(run);
  }

  async #run(socket: Socket): Promise<void> {
    const { protocol, config } = this.#spec;
    let stream: Socket = socket;
    if (config.options.secure) {
      const peer = socket.remoteAddress ?? '?'; // gone once a failed handshake destroyed the socket
      try {
        stream = await serverHandshake(socket, config.tls!, Date.now() + config.tlsTimeout);
      } catch (error) {
        config.log(`${protocol} TLS handshake from ${peer} failed: ${(error as ChannelError).message}`);
        socket.destroy();
        return;
      }
      stream.on('error', () => undefined);
    }
    const session = this.#spec.createSession(new ServerChannel(stream), socket);
    session.log(`connection from ${session.remoteAddress}:${session.remotePort}${config.options.secure ? ` (${session.channel.tlsDescription()})` : ''}`);
    this.#live.add(session);
    try {
      await session.run();
    } finally {
      this.#live.delete(session);
    }
    session.log('closed');
  }
}
