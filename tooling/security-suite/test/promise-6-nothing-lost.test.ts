// Promise 6: nothing is lost. SMTP: a connection lost after the end of the message is
// "outcome unknown" (RFC 1047), never success, never retried; a 421 there is an answer.
// POP3 fetch-and-delete at the library level: cut the connection at every step, run again,
// and every message is stored exactly once (UIDL) and nothing is missing. The process-kill
// matrix of `mailctl fetch --delete` (SIGKILL at every command and inside each batch commit,
// connection reset at every command) is packages/cli/test/crash.test.ts.
import { describe, expect, it } from 'vitest';
import type { SMTP } from '@mail/smtp';
import type { FakeServer } from '@mail/test-servers';
import { fakeServer, pop3To, rejectionOf, smtpTo } from './support/harness.js';
import { faultReply, inject, type Fault } from './support/faults.js';
import { scenarios } from './support/scenarios.js';

type Transfer = 'sendMail DATA' | 'sendMail BDAT LAST inline' | 'sendMail BDAT LAST streamed' | 'data() verb' | 'bdat() verb';
const TRANSFERS: readonly Transfer[] = ['sendMail DATA', 'sendMail BDAT LAST inline', 'sendMail BDAT LAST streamed', 'data() verb', 'bdat() verb'];
const BASE = ['PIPELINING', 'SIZE 10485760', '8BITMIME', 'ENHANCEDSTATUSCODES'];
const small = 'Subject: once\r\n\r\nexactly once\r\n';
// Over the 256 KiB that ride inline in the envelope's write: sent after the envelope replies.
const large = `Subject: big\r\n\r\n${'0123456789abcdef\r\n'.repeat(20_000)}`;

function send(smtp: SMTP, transfer: Transfer, signal: AbortSignal): Promise<unknown> {
  const env = { from: 'a@example.org', to: 'b@example.org', signal };
  switch (transfer) {
    case 'sendMail DATA': case 'sendMail BDAT LAST inline': return smtp.sendMail({ ...env, message: small });
    case 'sendMail BDAT LAST streamed': return smtp.sendMail({ ...env, message: large });
    case 'data() verb': return smtp.mail(env.from).then(() => smtp.rcpt(env.to)).then(() => smtp.data(small, { signal }));
    case 'bdat() verb': return smtp.mail(env.from).then(() => smtp.rcpt(env.to)).then(() => smtp.bdat(small, { last: true, signal }));
  }
}

/** The whole message reached the server: the final dot, or a BDAT ... LAST chunk. */
function endsOfData(server: FakeServer): number {
  const dots = server.transcript.filter((e) => e.kind === 'data' && e.line === '.').length;
  const lasts = server.commands().filter((c) => /^BDAT \d+ LAST$/i.test(c)).length;
  return dots + lasts;
}

interface Row {
  name: string;
  transfer: Transfer;
  fault: Fault;
  code: string;
  transient: boolean;
}

const rows: Row[] = [];
for (const transfer of TRANSFERS) {
  for (const fault of ['close', 'reset', 'stall', 'abort'] as const) {
    rows.push({ name: `${transfer}: ${fault} after the end of data → outcome unknown`, transfer, fault, code: 'SMTP_OUTCOME_UNKNOWN', transient: false });
  }
  rows.push({ name: `${transfer}: 421 after the end of data is an answer (not accepted, retry is safe)`, transfer, fault: 'shutdown', code: 'SMTP_SERVER_DISCONNECTED', transient: true });
}

describe('SMTP: lost after the end of data is "outcome unknown", never success, never retried', () => {
  it.each(scenarios(6, rows))('$name', async (row) => {
    const chunking = row.transfer.includes('BDAT') || row.transfer === 'bdat() verb';
    const server = await fakeServer('smtp', { extensions: chunking ? [...BASE, 'CHUNKING'] : BASE });
    const abort = new AbortController();
    inject(server, chunking ? 'BDAT' : 'DATA_END', row.fault, abort);
    const smtp = await smtpTo(server, { timeout: 300 });
    const error = await rejectionOf(send(smtp, row.transfer, abort.signal));
    expect(error.code).toBe(row.code);
    expect(error.transient).toBe(row.transient);
    // The whole message was on the wire exactly once, on one connection: no silent retry.
    expect(endsOfData(server)).toBe(1);
    expect(server.connections).toBe(1);
    expect(server.messages.filter((m) => m.accepted)).toEqual([]);
    expect(smtp.closed).toBe(true);
  });
});

const MAILBOX = [1, 2, 3].map((i) => ({ uid: `u${i}`, content: `Subject: m${i}\r\n\r\nmessage ${i}\r\n` }));

/** A fetcher that stores before it lets the library DELE, and skips UIDs it already has. */
class Store {
  readonly disk = new Map<string, string>();
  /** Every store operation, to prove exactly once. */
  readonly writes: string[] = [];

  async fetch(server: FakeServer): Promise<void> {
    const pop = await pop3To(server, { allowPlaintextAuth: true });
    await pop.login('alice', 'pw', { mechanisms: ['PLAIN'] });
    for await (const m of pop.messages({ uids: true, delete: true })) {
      if (m.uid === undefined || this.disk.has(m.uid)) continue;
      this.disk.set(m.uid, m.data.toString('latin1'));
      this.writes.push(m.uid);
    }
    await pop.quit();
  }
}

interface CutRow {
  name: string;
  step: string;
  nth: number;
  fault: Fault;
  pipelining: boolean;
}

const cutRows: CutRow[] = [];
const steps: Array<[string, number]> = [['LIST', 1], ['UIDL', 1], ['RETR', 1], ['RETR', 2], ['RETR', 3], ['DELE', 1], ['DELE', 2], ['DELE', 3], ['QUIT', 1]];
for (const pipelining of [true, false]) {
  for (const [step, nth] of steps) {
    for (const fault of pipelining ? (['close', 'reset', 'shutdown'] as const) : (['close'] as const)) {
      cutRows.push({ name: `${pipelining ? 'pipelined' : 'one at a time'}: ${fault} at ${step} ${nth}`, step, nth, fault, pipelining });
    }
  }
}

describe('POP3 fetch-and-delete: cut at every step, run again, every message exactly once', () => {
  it.each(scenarios(6, cutRows))('$name', async (row) => {
    const server = await fakeServer('pop3', {
      mailbox: MAILBOX,
      extensions: ['USER', 'UIDL', 'TOP', 'SASL PLAIN', 'RESP-CODES', ...(row.pipelining ? ['PIPELINING'] : [])],
    });
    let seen = 0;
    const fault = faultReply(server, row.fault, new AbortController());
    server.on(row.step, (cmd, ctx) => (++seen === row.nth ? fault(cmd, ctx) : undefined));
    const store = new Store();
    const first = await rejectionOf(store.fetch(server));
    expect(first.code).toMatch(/^(MAIL_CONNECTION_CLOSED|POP3_REPLY)$/);
    // At the cut: every message is on the server or on disk.
    const onServer = new Set(server.mailbox.map((m) => m.uid));
    for (const { uid } of MAILBOX) expect(onServer.has(uid) || store.disk.has(uid), `${uid} lost`).toBe(true);
    // Run again without faults: everything ends on disk exactly once, nothing on the server.
    server.script.off(row.step);
    await store.fetch(server);
    expect([...store.writes].sort()).toEqual(['u1', 'u2', 'u3']);
    for (const { uid, content } of MAILBOX) expect(store.disk.get(uid)).toBe(content);
    expect(server.mailbox).toEqual([]);
    // DELE of a message only after the consumer stored it: never a DELE before its RETR.
    const cmds = server.commands();
    for (const n of [1, 2, 3]) {
      const dele = cmds.indexOf(`DELE ${n}`);
      if (dele >= 0) expect(cmds.indexOf(`RETR ${n}`)).toBeLessThan(dele);
    }
  });
});

const failRows = scenarios(6, [1, 2, 3].flatMap((k) => [true, false].map((pipelining) => ({
  name: `${pipelining ? 'pipelined' : 'one at a time'}: storing message ${k} fails, the session is disposed (QUIT)`, k, pipelining,
}))));

describe('POP3: a message whose storing failed is never deleted, even when QUIT commits the others', () => {
  it.each(failRows)('$name', async (row) => {
    const server = await fakeServer('pop3', {
      mailbox: MAILBOX,
      extensions: ['USER', 'UIDL', 'SASL PLAIN', ...(row.pipelining ? ['PIPELINING'] : [])],
    });
    const disk = new Map<string, string>();
    const failing = async (): Promise<void> => {
      await using pop = await pop3To(server, { allowPlaintextAuth: true });
      await pop.login('alice', 'pw', { mechanisms: ['PLAIN'] });
      for await (const m of pop.messages({ uids: true, delete: true })) {
        if (m.msg === row.k) throw new Error('disk full');
        disk.set(m.uid!, m.data.toString('latin1'));
      }
    };
    await expect(failing()).rejects.toThrow('disk full');
    // QUIT went out (await using) and committed exactly the messages stored before the failure.
    expect(server.commands().at(-1)).toBe('QUIT');
    expect([...disk.keys()]).toEqual(MAILBOX.slice(0, row.k - 1).map((m) => m.uid));
    expect(server.mailbox.map((m) => m.uid)).toEqual(MAILBOX.slice(row.k - 1).map((m) => m.uid));
    expect(server.commands().filter((c) => c === `DELE ${row.k}`)).toEqual([]);
  });
});
