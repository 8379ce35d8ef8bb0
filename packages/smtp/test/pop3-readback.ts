// Reads messages back from Dovecot over raw POP3 (RFC 1939), to compare what Postfix
// delivered with what we sent. Raw on purpose: @mail/smtp has no dependency on @mail/pop3.
import { connect, type Socket } from 'node:net';

class Pop3Lines {
  // Amortised growth: a 50 MB RETR must not be re-concatenated per packet.
  #data = Buffer.allocUnsafe(1 << 16);
  #start = 0;
  #end = 0;
  #waiters: Array<() => void> = [];
  #ended = false;
  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => { this.#append(d); this.#wake(); });
    socket.on('close', () => { this.#ended = true; this.#wake(); });
    socket.on('error', () => undefined);
  }
  #append(d: Buffer): void {
    if (this.#end + d.length > this.#data.length) {
      const live = this.#end - this.#start;
      const next = Buffer.allocUnsafe(Math.max(this.#data.length * 2, live + d.length));
      this.#data.copy(next, 0, this.#start, this.#end);
      this.#data = next;
      this.#start = 0;
      this.#end = live;
    }
    d.copy(this.#data, this.#end);
    this.#end += d.length;
  }
  #wake(): void { for (const w of this.#waiters.splice(0)) w(); }
  async #more(): Promise<void> {
    if (this.#ended) throw new Error('POP3 connection closed');
    await new Promise<void>((r) => this.#waiters.push(r));
  }
  get #view(): Buffer { return this.#data.subarray(this.#start, this.#end); }
  async line(): Promise<string> {
    for (;;) {
      const i = this.#view.indexOf('\r\n');
      if (i >= 0) { const l = this.#view.subarray(0, i).toString('latin1'); this.#start += i + 2; return l; }
      await this.#more();
    }
  }
  /** A dot-terminated body, unstuffed, CRLFs kept (RFC 1939 §3). */
  async body(): Promise<Buffer> {
    let from = 0;
    for (;;) {
      const view = this.#view;
      if (view.subarray(0, 3).toString() === '.\r\n') { this.#start += 3; return Buffer.alloc(0); }
      const end = view.indexOf('\r\n.\r\n', from);
      if (end >= 0) {
        const raw = Buffer.from(view.subarray(0, end + 2));
        this.#start += end + 5;
        return unstuff(raw);
      }
      from = Math.max(0, view.length - 4);
      await this.#more();
    }
  }
  async command(cmd: string): Promise<string> {
    this.socket.write(`${cmd}\r\n`);
    const reply = await this.line();
    if (!reply.startsWith('+OK')) throw new Error(`POP3 ${cmd.split(' ')[0]}: ${reply}`);
    return reply;
  }
}

function unstuff(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  while (start < raw.length) {
    const lf = raw.indexOf(0x0a, start);
    const end = lf < 0 ? raw.length : lf + 1;
    parts.push(raw.subarray(raw[start] === 0x2e ? start + 1 : start, end));
    start = end;
  }
  return Buffer.concat(parts);
}

/** Connection details of a Dovecot POP3 server. */
export interface Pop3Account { host: string; port: number; user: string; pass: string }

/**
 * Waits (bounded) until a message whose headers contain `marker` is in the maildrop,
 * returns it (as retrieved, unstuffed) and deletes it.
 */
export async function fetchAndDelete(account: Pop3Account, marker: string, timeoutMs = 30_000): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await tryOnce(account, marker).catch(() => undefined);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`message ${marker} did not arrive within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function tryOnce(account: Pop3Account, marker: string): Promise<Buffer | undefined> {
  const socket = connect({ host: account.host, port: account.port });
  const p = new Pop3Lines(socket);
  try {
    if (!(await p.line()).startsWith('+OK')) return undefined;
    await p.command(`USER ${account.user}`);
    await p.command(`PASS ${account.pass}`);
    const count = Number((await p.command('STAT')).split(' ')[1]);
    for (let n = 1; n <= count; n++) {
      await p.command(`TOP ${n} 0`);
      const head = await p.body();
      if (!head.includes(marker)) continue;
      await p.command(`RETR ${n}`);
      const message = await p.body();
      await p.command(`DELE ${n}`);
      await p.command('QUIT');
      return message;
    }
    await p.command('QUIT');
    return undefined;
  } finally {
    socket.destroy();
  }
}
