/**
 * An in-memory POP3 maildrop with RFC 1939 semantics (DELE marks, QUIT applies, a dropped
 * session applies nothing) and fault injection: the session throws at operation number K.
 */
import type { FetchSession } from './engine.js';

/** One message on the fake server. */
export interface FakeMessage {
  uid: string;
  body: Buffer;
}

/** The fake server's maildrop; open sessions against it. */
export class FakeMaildrop {
  messages: FakeMessage[];
  constructor(messages: FakeMessage[]) {
    this.messages = messages;
  }

  /** Opens a session that throws before operation number `failAt` (0-based), if given. */
  session(opts: { failAt?: number; uidl?: boolean } = {}): FetchSession & { ops: number } {
    const snapshot = [...this.messages];
    const marked = new Set<number>();
    let ops = 0;
    const step = (): void => {
      if (opts.failAt !== undefined && ops === opts.failAt) {
        ops++;
        throw Object.assign(new Error('injected connection failure'), { code: 'MAIL_CONNECTION_CLOSED' });
      }
      ops++;
    };
    const apply = (remaining: FakeMessage[]): void => {
      this.messages = remaining;
    };
    return {
      get ops() {
        return ops;
      },
      list: async () => {
        step();
        return snapshot.map((m, i) => ({ n: i + 1, size: m.body.length }));
      },
      uidl: async () => {
        step();
        return opts.uidl === false ? undefined : snapshot.map((m, i) => ({ n: i + 1, uid: m.uid }));
      },
      async *retrieve(ns: number[]) {
        for (const n of ns) {
          step();
          const m = snapshot[n - 1];
          if (!m || marked.has(n)) throw new Error(`no message ${n}`);
          yield { n, message: Buffer.from(m.body) };
        }
      },
      dele: async (ns: number[]) => {
        for (const n of ns) {
          step();
          marked.add(n);
        }
      },
      quit: async () => {
        step();
        apply(snapshot.filter((_, i) => !marked.has(i + 1)));
      },
    };
  }
}
