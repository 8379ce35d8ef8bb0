/**
 * A scripted raw client for server tests (the SMTP and POP3 server halves): writes exact
 * bytes, reads replies, lines or up to a marker with deadlines, and can STARTTLS/STLS.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

/** A raw client over one socket; reads are latin1 so every byte maps to one character. */
export class RawClient {
  /** Every client not yet closed, for {@link RawClient.closeAll}. */
  static readonly #open = new Set<RawClient>();
  #buf = '';
  #waiters: Array<() => void> = [];
  #closed = false;

  /** Wraps a connected socket (use {@link RawClient.open} to connect); `socket` is the current one, a TLSSocket after {@link RawClient.startTLS}. */
  constructor(public socket: Socket | TLSSocket) {
    RawClient.#open.add(this);
    this.#listen(socket);
  }

  /** Destroys every client still open (for an `afterEach`, so no test leaks a socket). */
  static closeAll(): void {
    for (const client of RawClient.#open) client.close();
  }

  /** Connects to `127.0.0.1:port`; with `tls`, implicit TLS trusting `tls.ca` for `localhost`. */
  static async open(port: number, tls?: { ca: string }): Promise<RawClient> {
    const socket = tls ? tlsConnect({ host: '127.0.0.1', port, ca: tls.ca, servername: 'localhost' }) : netConnect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once(tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  #listen(socket: Socket): void {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.#buf += d;
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** The server closed the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Writes exact bytes. */
  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Reads one complete SMTP reply (all its lines, RFC 5321 §4.2.1). */
  async reply(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/.exec(this.#buf);
      if (m) {
        this.#buf = this.#buf.slice(m[0].length);
        return m[0];
      }
      await this.#wait(deadline);
    }
  }

  /** Reads one line. */
  async line(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#buf.indexOf('\n');
      if (i !== -1) {
        const l = this.#buf.slice(0, i + 1);
        this.#buf = this.#buf.slice(i + 1);
        return l;
      }
      await this.#wait(deadline);
    }
  }

  /** Reads until `marker` appears, returns everything up to and including it. */
  async until(marker: string, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#buf.indexOf(marker);
      if (i !== -1) {
        const out = this.#buf.slice(0, i + marker.length);
        this.#buf = this.#buf.slice(i + marker.length);
        return out;
      }
      await this.#wait(deadline);
    }
  }

  /** Resolves when the server closed the connection. */
  async waitClosed(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#closed) await this.#wait(deadline);
    return this.#buf;
  }

  /** Upgrades to TLS (client STARTTLS), trusting `ca`. */
  async startTLS(ca: string): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = tlsConnect({ socket: plain, ca, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.#listen(secure);
  }

  async #wait(deadline: number): Promise<void> {
    if (this.#closed) throw new Error(`connection closed; buffered: ${JSON.stringify(this.#buf)}`);
    const ms = deadline - Date.now();
    if (ms <= 0) throw new Error(`timeout; buffered: ${JSON.stringify(this.#buf)}`);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Destroys the socket. */
  close(): void {
    RawClient.#open.delete(this);
    this.socket.destroy();
  }
}
