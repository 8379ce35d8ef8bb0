/**
 * `Connection`: one socket with deadlines, abort, line reads, writes, STARTTLS and tracing.
 * Reading helpers for dot-terminated responses live in `dot-read.ts`, socket opening in
 * `open-socket.ts`, client TLS in `tls-client.ts`.
 */
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { channelBindingOf, type ChannelBindingType } from './channel-binding.js';
import { DotReadingConnection } from './dot-read.js';
import { assertSafeArgument, MailError, type Phase } from './errors.js';
import { openSocket } from './open-socket.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { parsePins, startClientTLS } from './tls-client.js';
import { looksLikeTLSRecord, plaintextServerError, tlsRecordError } from './tls-errors.js';
import { redactLine, Tracer } from './trace.js';
import type { ConnectOptions, ReadOptions, WriteCommandOptions } from './types.js';

let nextId = 1;

/** Options of {@link Connection.write}. */
export interface WriteOptions {
  signal?: AbortSignal;
  /** What the trace shows instead of the data (default `<N bytes>`, at debug level 2). */
  trace?: string;
  /** Phase whose deadline bounds waiting for the socket to drain (default `data`). */
  phase?: Phase;
  /** Absolute deadline (ms since epoch); overrides `phase`. */
  deadline?: number;
}

/** Summary of the TLS session, see {@link Connection.tlsInfo}. */
export interface TLSInfo {
  protocol: string;
  cipher: string;
  /** The peer was verified (chain and name, or a pinned key). */
  authorized: boolean;
  peerCertificate?: tls.DetailedPeerCertificate;
}

/** Server key and certificate, or a prepared secure context, for {@link Connection.upgradeToTLSServer}. */
export type ServerTLSContext = { key: string | Buffer; cert: string | Buffer; minVersion?: tls.SecureVersion } | tls.SecureContext;

/** Options of {@link Connection.fromSocket}. */
export type FromSocketOptions = Partial<ConnectOptions> & { server?: boolean };

function isSecureContext(ctx: ServerTLSContext): ctx is tls.SecureContext {
  return 'context' in ctx;
}

/**
 * A connected byte stream speaking a line protocol (SMTP, LMTP, POP3), client or server side.
 * Every failure destroys the socket and settles every pending call exactly once.
 */
export class Connection extends DotReadingConnection implements AsyncDisposable {
  /** Unique within the process; shown in traces. */
  readonly id: number;
  /** The host connected to (as given), for messages and certificate checks. */
  readonly host: string;
  /** The resolved options. */
  readonly options: ResolvedOptions;
  readonly #server: boolean;
  #verified = false;

  private constructor(socket: Duplex, options: ResolvedOptions, server: boolean) {
    const id = nextId++;
    const tracer = new Tracer(id, options.protocol, options.debug, options.logger);
    super(socket, options, tracer, server);
    this.id = id;
    this.host = options.host;
    this.options = options;
    this.#server = server;
    if (socket instanceof tls.TLSSocket && socket.encrypted) {
      this.tlsSocket = socket;
      this.#verified = server || socket.authorized;
    }
  }

  /**
   * Opens a connection: TCP with Happy Eyeballs (RFC 8305) or `socketFactory`, then the TLS
   * handshake when `security` is `'tls'` (RFC 8314). Does not read the greeting.
   */
  static async connect(options: ConnectOptions): Promise<Connection> {
    const resolved = resolveOptions(options);
    // Refuse malformed pins before any I/O.
    if (resolved.tls?.pins !== undefined) parsePins(resolved.tls.pins);
    const socket = await openSocket(resolved);
    const conn = new Connection(socket, resolved, false);
    conn.tracer.event('i', `connected to ${resolved.host}:${resolved.port}`);
    if (resolved.security === 'tls') await conn.#clientTLS(true, undefined);
    return conn;
  }

  /** Wraps an already-connected socket (a server's accepted socket, or a test's duplex). */
  static fromSocket(socket: Duplex, options: FromSocketOptions = {}): Connection {
    const { server = false, ...rest } = options;
    return new Connection(socket, resolveOptions(rest), server);
  }

  /** A verified TLS session is in place (for a server: any TLS session). */
  get secure(): boolean {
    return this.tlsSocket !== undefined && this.#verified && this.error === undefined;
  }

  /** Protocol, cipher and peer certificate of the TLS session, if any. */
  get tlsInfo(): TLSInfo | undefined {
    const s = this.tlsSocket;
    if (s === undefined) return undefined;
    const cert = s.getPeerCertificate(true);
    return {
      protocol: s.getProtocol() ?? 'unknown',
      cipher: s.getCipher().name,
      authorized: this.#verified,
      ...(cert !== null && 'raw' in cert ? { peerCertificate: cert } : {}),
    };
  }

  /** `Date.now() + timeouts[phase]`: one deadline shared by several reads of one phase. */
  deadline(phase: Phase): number {
    return Date.now() + this.options.timeouts[phase];
  }

  /** Next line, CRLF (or LF) stripped, decoded as UTF-8. */
  readLine(opts: ReadOptions = {}): Promise<string> {
    return this.read(opts, 'command', () => {
      const line = this.input.framer.nextLine();
      if (line === undefined) return undefined;
      const text = line.toString('utf8');
      if (this.tracer.active) this.traceIn(text, opts.redactAfter);
      return text;
    });
  }

  /**
   * Reads lines (as {@link readLine} does: same framing limits, decoding and tracing) and
   * hands each to `take` until it returns a value, which the read resolves with: one read,
   * one promise and one deadline for a multi-line response, however many network reads it
   * spans. If `take` throws, the connection is destroyed (a MailError as it is, anything else
   * as a lost connection, like a framing error); a caller that wants to report a bad response
   * without that returns it as a value.
   */
  readLines<T>(take: (line: string) => T | undefined, opts: ReadOptions = {}): Promise<T> {
    return this.read(opts, 'command', () => {
      const framer = this.input.framer;
      for (;;) {
        const line = framer.nextLine();
        if (line === undefined) return undefined;
        const text = line.toString('utf8');
        if (this.tracer.active) this.traceIn(text, opts.redactAfter);
        const value = take(text);
        if (value !== undefined) return value;
      }
    });
  }

  /** Next line as raw bytes without its terminator. */
  readLineBytes(opts: ReadOptions = {}): Promise<Buffer> {
    return this.read(opts, 'command', () => {
      const line = this.input.framer.nextLine();
      if (line !== undefined && this.tracer.active) this.traceIn(line.toString('utf8'), opts.redactAfter);
      return line;
    });
  }

  /**
   * The next line if one is already buffered and no read is queued, else undefined (then use
   * {@link readLine}). Synchronous: spares a pipelined reader a promise per buffered line.
   * Same checks, framing limits and tracing as readLine; throws (and destroys) as it would.
   */
  readLineNow(opts: { redactAfter?: number | undefined } = {}): string | undefined {
    if (!this.canReadNow()) return undefined;
    let line: Buffer | undefined;
    try {
      line = this.input.framer.nextLine();
    } catch (err) {
      throw this.fail(err);
    }
    if (line === undefined) return undefined;
    const text = line.toString('utf8');
    if (this.tracer.active) this.traceIn(text, opts.redactAfter);
    return text;
  }

  /**
   * Raw bytes; resolves once the socket accepted them (waits for `drain` when full). A list of
   * buffers (e.g. `DotStuffer.pushParts`) goes out as one gathered write, without joining them.
   */
  write(data: string | Uint8Array | readonly Uint8Array[], opts: WriteOptions = {}): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (this.tracer.active) {
      try {
        const size = buf instanceof Uint8Array ? buf.length : buf.reduce((n, part) => n + part.length, 0);
        this.tracer.event(this.outDirection, opts.trace ?? `<${size} bytes>`, opts.trace === undefined);
      } catch (err) {
        // A throwing logger rejects the write, as it did when this method was async.
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
    // No async wrapper: one promise (send's) per write, not two.
    return this.send(buf, opts.phase ?? 'data', opts.signal, opts.deadline);
  }

  /** One command line: refuses CR, LF and NUL before any I/O, appends CRLF, traces redacted. */
  async writeCommand(line: string, opts: WriteCommandOptions = {}): Promise<void> {
    await this.writeCommands([line], opts);
  }

  /** Several command lines in one write (pipelining, RFC 2920 / RFC 2449). */
  async writeCommands(lines: readonly string[], opts: WriteCommandOptions = {}): Promise<void> {
    for (const line of lines) assertSafeArgument(line, 'command');
    for (const line of lines) {
      this.tracer.event(this.outDirection, opts.redactAfter === undefined ? line : redactLine(line, opts.redactAfter));
    }
    await this.send(Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8'), 'command', opts.signal);
  }

  /** Whether unread bytes are buffered. */
  hasBufferedData(): boolean {
    return this.input.framer.length > 0;
  }

  /**
   * Client STARTTLS (RFC 3207 §4, RFC 2595 §3.1): call right after the go-ahead reply. Any
   * byte buffered after that reply is an injection attempt (CVE-2011-0411 class):
   * `MAIL_STARTTLS_INJECTION`, connection destroyed, nothing written.
   */
  async upgradeToTLS(opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#server) throw new MailError('MAIL_INVALID_ARGUMENT', 'upgradeToTLS is for clients; use upgradeToTLSServer');
    await this.#clientTLS(false, opts.signal);
  }

  /**
   * Server side of STARTTLS/STLS: refuses bytes buffered before the handshake (the client
   * must wait for the go-ahead), then handshakes within the `tls` deadline. Pass the go-ahead
   * reply as `goAhead` to have it written only after that check, with nothing read in between.
   */
  async upgradeToTLSServer(context: ServerTLSContext, opts: { signal?: AbortSignal; goAhead?: string } = {}): Promise<void> {
    const secureContext = isSecureContext(context)
      ? context
      : tls.createSecureContext({ key: context.key, cert: context.cert, minVersion: context.minVersion ?? 'TLSv1.2' });
    await this.upgrade('tls', opts.signal, async (raw) => {
      if (opts.goAhead !== undefined) {
        assertSafeArgument(opts.goAhead, 'reply');
        this.tracer.event(this.outDirection, opts.goAhead);
        raw.write(`${opts.goAhead}\r\n`);
      }
      const socket = new tls.TLSSocket(raw, { isServer: true, secureContext });
      this.tlsSocket = socket;
      await new Promise<void>((resolve, reject) => {
        socket.once('secure', () => resolve());
        socket.once('error', (err) => reject(new MailError('MAIL_TLS', `TLS handshake with the client failed: ${err.message}`, { cause: err })));
      });
      this.#verified = true;
      return socket;
    });
  }

  /** Channel binding data for SCRAM-*-PLUS (RFC 5929, RFC 9266); undefined without TLS. */
  channelBinding(kind: ChannelBindingType): Buffer | undefined {
    const s = this.tlsSocket;
    return s === undefined || !this.#verified ? undefined : channelBindingOf(s, kind, this.#server);
  }

  /** Publishes already-redacted text to the trace and debug log. */
  trace(direction: 'c' | 's' | 'i', text: string): void {
    this.tracer.event(direction, text);
  }

  /** Async disposal closes gracefully. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  protected override onHead(head: Buffer): void {
    if (this.tlsSocket === undefined && looksLikeTLSRecord(head)) {
      this.destroy(tlsRecordError(this.host, this.options.port, this.#server));
    }
  }

  /** The first bytes received but not yet read (framed or still in the socket's buffer). */
  #bufferedHead(): Buffer {
    const raw: unknown = this.raw.read();
    const more = Buffer.isBuffer(raw) ? raw : typeof raw === 'string' ? Buffer.from(raw) : Buffer.alloc(0);
    return Buffer.concat([this.input.framer.take(64), more]).subarray(0, 64);
  }

  async #clientTLS(implicit: boolean, signal: AbortSignal | undefined): Promise<void> {
    if (this.tlsSocket !== undefined) throw new MailError('MAIL_PROTOCOL', 'TLS is already active on this connection');
    await this.upgrade('tls', signal, async (raw) => {
      const handshake = startClientTLS({ socket: raw, host: this.host, port: this.options.port, tls: this.options.tls ?? {}, implicit });
      this.tlsSocket = handshake.socket;
      const socket = await handshake.ready;
      this.#verified = true;
      const info = this.tlsInfo;
      this.tracer.event('i', `TLS established (${info?.protocol ?? '?'}, ${info?.cipher ?? '?'})`);
      return socket;
    }, implicit ? () => plaintextServerError(this.host, this.options.port, this.#bufferedHead()) : undefined);
  }
}

/** Opens a connection; see {@link Connection.connect}. */
export function connect(options: ConnectOptions): Promise<Connection> {
  return Connection.connect(options);
}

