// A scriptable SMTP/POP3 server on 127.0.0.1, port 0, for client tests: plain, implicit TLS
// or STARTTLS/STLS, default happy-path replies, per-command scripting and fault injection,
// and an exact record of what it received.
import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { type CertificateMaterial, createTestCertificates, type TestCertificates } from './certs.js';
import { type DriverConfig, type Security } from './config.js';
import { FakeConnection, type ConnectionRecord } from './connection.js';
import { type ProtocolDriver, Session, type TranscriptEntry } from './engine.js';
import { newPop3State, type Pop3Message, pop3Driver } from './pop3.js';
import { type Handler, type Override, Script } from './script.js';
import type { Users } from './sasl.js';
import { newSmtpState, type ReceivedMessage, smtpDriver } from './smtp.js';

/** Options of {@link FakeServer.start}. */
export interface FakeServerOptions {
  readonly protocol: 'smtp' | 'pop3';
  /** Default `'none'`. */
  readonly security?: Security;
  /** TLS material; default `createTestCertificates()` (cached per process). */
  readonly certs?: TestCertificates;
  /** Which certificate to present (default `'server'`, valid for localhost/127.0.0.1/::1). */
  readonly certificate?: 'server' | 'otherHost' | 'selfSigned' | 'expired' | CertificateMaterial;
  /** Extra server TLS settings, e.g. `{ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }`. */
  readonly tls?: SecureContextOptions;
  /** Prepare the script before the first connection (same as calling `server.on/once`). */
  readonly script?: (server: FakeServer) => void;
  /** Accepted credentials; default: any well-formed credentials are accepted. */
  readonly users?: Users;
  /** See {@link DriverConfig.hideStartTls}. */
  readonly hideStartTls?: boolean;
  /** See {@link DriverConfig.extensions}. */
  readonly extensions?: readonly string[];
  /** POP3 maildrop: message contents (CRLF line endings) or `{ uid, content }`. */
  readonly mailbox?: readonly (string | Buffer | { uid: string; content: string | Buffer })[];
}

/** A running fake server. Create with {@link FakeServer.start}; always `close()` it. */
export class FakeServer {
  readonly host = '127.0.0.1';
  readonly port: number;
  readonly protocol: 'smtp' | 'pop3';
  readonly security: Security;
  /** PEM of the CA that issued the server certificate: pass as `ca` to the client. */
  readonly ca: string;
  /** The certificates in use (for pins, other hosts, files). */
  readonly certs: TestCertificates;
  /** Default-reply knobs, changeable between commands. */
  readonly config: DriverConfig;
  /** Everything received, on all connections, in order. */
  readonly transcript: TranscriptEntry[] = [];
  /** SMTP: every message received through DATA/BDAT. */
  readonly messages: ReceivedMessage[] = [];
  /** POP3: the maildrop (deletions are applied at QUIT). */
  readonly mailbox: Pop3Message[];
  readonly script = new Script();
  readonly #server: Server;
  readonly #connections: FakeConnection<unknown>[] = [];
  readonly #context: SecureContext;
  readonly #driver: ProtocolDriver<unknown>;

  private constructor(server: Server, opts: FakeServerOptions, certs: TestCertificates) {
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
    this.protocol = opts.protocol;
    this.security = opts.security ?? 'none';
    this.certs = certs;
    this.ca = certs.ca.cert;
    const chosen = opts.certificate ?? 'server';
    const material = typeof chosen === 'string' ? certs[chosen] : chosen;
    this.#context = createSecureContext({ key: material.key, cert: material.cert, ...opts.tls });
    this.config = {
      security: this.security, hideStartTls: opts.hideStartTls ?? false, users: opts.users,
      hostname: 'localhost', extensions: opts.extensions,
    };
    this.mailbox = (opts.mailbox ?? []).map((m, i) => typeof m === 'string' || Buffer.isBuffer(m)
      ? { uid: `uid-${i + 1}`, content: Buffer.from(m) }
      : { uid: m.uid, content: Buffer.from(m.content) });
    this.#driver = opts.protocol === 'smtp'
      ? smtpDriver(this.config, this.messages)
      : pop3Driver(this.config, this.mailbox);
    server.on('connection', (socket) => this.#accept(socket));
  }

  /** Start listening on 127.0.0.1, port 0. */
  static async start(opts: FakeServerOptions): Promise<FakeServer> {
    const certs = opts.certs ?? await createTestCertificates();
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const fake = new FakeServer(server, opts, certs);
    opts.script?.(fake);
    return fake;
  }

  /** Number of connections accepted so far. */
  get connections(): number {
    return this.#connections.length;
  }

  /** Per-connection records (received bytes, reads, TLS state), in accept order. */
  get sessions(): readonly ConnectionRecord[] {
    return this.#connections;
  }

  /** The command lines received (`kind === 'command'`), optionally only over TLS / plain. */
  commands(filter?: { tls?: boolean }): string[] {
    return this.transcript
      .filter((e) => e.kind === 'command' && (filter?.tls === undefined || e.tls === filter.tls))
      .map((e) => e.line);
  }

  /** Answer every `verb` (or `*`, or a pseudo-verb like `GREETING`, `DATA_END`) with `handler`. */
  on(verb: string, handler: Handler): this {
    this.script.on(verb, handler);
    return this;
  }

  /** Answer only the next `verb` with each override in turn (FIFO). */
  once(verb: string, ...overrides: Override[]): this {
    this.script.once(verb, ...overrides);
    return this;
  }

  /** Write unsolicited bytes on a connection (default: the latest) after its queued actions. */
  async send(data: string | Buffer, connection = this.#connections.length): Promise<void> {
    const c = this.#connections[connection - 1];
    if (!c) throw new Error(`fake server: no connection ${connection}`);
    await c.send(typeof data === 'string' ? Buffer.from(data) : data);
  }

  /** Poll `predicate` every 5 ms until true; throws after `timeoutMs` (default 5000). */
  async waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('fake server: waitFor timed out');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Resolves once every connection so far has closed (throws after `timeoutMs`). */
  async idle(timeoutMs = 5000): Promise<void> {
    await this.waitFor(() => this.#connections.every((c) => c.closed), timeoutMs);
  }

  /** Stop listening and destroy every connection; resolves when nothing is left open. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const c of this.#connections) c.destroy();
    await Promise.all([closed, ...this.#connections.map((c) => c.done)]);
  }

  /** `await using server = await FakeServer.start(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #accept(socket: Socket): void {
    const id = this.#connections.length + 1;
    const implicit = this.security === 'tls';
    const state = this.protocol === 'smtp' ? newSmtpState() : newPop3State(id);
    const session = new Session<unknown>(id, false, state, this.#driver, this.script, (e) => this.transcript.push(e));
    this.#connections.push(new FakeConnection(id, socket, session, this.#context, implicit));
  }
}
