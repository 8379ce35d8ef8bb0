// A deliberately minimal raw client (node:net / node:tls) for wiring tests and for testing
// the fake server itself. It records every read as it arrived, so tests can assert packet
// boundaries (split writes, injected bytes in the same read).
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

/** Options of {@link TestClient.connect}. */
export interface TestClientOptions {
  readonly port: number;
  readonly host?: string;
  /** Implicit TLS, verifying against `ca` (PEM) for `servername` (default `localhost`). */
  readonly tls?: { readonly ca: string; readonly servername?: string };
  /** Per-read timeout in ms (default 5000). */
  readonly timeoutMs?: number;
}

/** A raw line-oriented client. */
export class TestClient {
  /** Every `data` event, in order, with whether it arrived over TLS. */
  readonly reads: { tls: boolean; data: Buffer }[] = [];
  #socket: Socket | TLSSocket;
  #buf = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  #ended = false;
  #tls: boolean;
  readonly #timeoutMs: number;

  private constructor(socket: Socket | TLSSocket, tls: boolean, timeoutMs: number) {
    this.#socket = socket;
    this.#tls = tls;
    this.#timeoutMs = timeoutMs;
    this.#attach(socket);
  }

  /** Connect (and handshake, for implicit TLS). */
  static async connect(opts: TestClientOptions): Promise<TestClient> {
    const host = opts.host ?? '127.0.0.1';
    const socket = opts.tls
      ? tlsConnect({ host, port: opts.port, ca: opts.tls.ca, servername: opts.tls.servername ?? 'localhost' })
      : netConnect({ host, port: opts.port });
    await once(socket, opts.tls ? 'secureConnect' : 'connect');
    return new TestClient(socket, opts.tls !== undefined, opts.timeoutMs ?? 5000);
  }

  /** Whether the socket is TLS now. */
  get tls(): boolean { return this.#tls; }
  /** Bytes received and not consumed by a read method yet. */
  get buffered(): Buffer { return this.#buf; }
  /** The server closed (or reset) the connection. */
  get ended(): boolean { return this.#ended; }

  #attach(socket: Socket | TLSSocket): void {
    socket.on('data', (d: Buffer) => {
      this.reads.push({ tls: this.#tls, data: d });
      this.#buf = Buffer.concat([this.#buf, d]);
      this.#wake();
    });
    socket.on('error', () => { this.#ended = true; this.#wake(); });
    socket.on('close', () => { this.#ended = true; this.#wake(); });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  async #until<T>(take: () => T | undefined): Promise<T> {
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      const v = take();
      if (v !== undefined) return v;
      if (this.#ended) throw new Error(`connection closed; unread: ${JSON.stringify(this.#buf.toString('latin1'))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`read timed out; unread: ${JSON.stringify(this.#buf.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  /** The next line without CRLF. */
  readLine(): Promise<string> {
    return this.#until(() => {
      const i = this.#buf.indexOf('\r\n');
      if (i < 0) return undefined;
      const line = this.#buf.subarray(0, i).toString('utf8');
      this.#buf = this.#buf.subarray(i + 2);
      return line;
    });
  }

  /** An SMTP reply: lines up to the one with a space after the code. */
  async readReply(): Promise<string[]> {
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const l = await this.readLine();
      lines.push(l);
      if (!/^\d{3}-/.test(l)) return lines;
    }
    throw new Error('reply too long');
  }

  /** A POP3 multi-line response: the status line and the lines up to `.` (unstuffed). */
  async readMultiline(): Promise<string[]> {
    const lines = [await this.readLine()];
    if (!lines[0]!.startsWith('+OK')) return lines;
    for (let i = 0; i < 100_000; i++) {
      const l = await this.readLine();
      if (l === '.') return lines;
      lines.push(l.startsWith('.') ? l.slice(1) : l);
    }
    throw new Error('response too long');
  }

  /** Write bytes in one write. */
  async write(data: string | Buffer): Promise<void> {
    await new Promise<void>((resolve, reject) => this.#socket.write(data, (e) => (e ? reject(e) : resolve())));
  }

  /** Write `line` + CRLF, then read one reply line. */
  async command(line: string): Promise<string> {
    await this.write(`${line}\r\n`);
    return this.readLine();
  }

  /** Start TLS on this connection (after the server's 220 / +OK), verifying against `ca`. */
  async startTls(ca: string, servername = 'localhost'): Promise<void> {
    if (this.#buf.length) throw new Error('bytes buffered before the TLS handshake (injection)');
    const plain = this.#socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = tlsConnect({ socket: plain, ca, servername });
    await once(secure, 'secureConnect');
    this.#socket = secure;
    this.#tls = true;
    this.#attach(secure);
  }

  /** Resolves when the server has closed the connection. */
  async closed(): Promise<void> {
    await this.#until(() => (this.#ended ? true : undefined)).catch(() => undefined);
    if (!this.#ended) throw new Error('connection still open');
  }

  /** Close our side (destroy). */
  close(): void {
    this.#socket.destroy();
  }
}
