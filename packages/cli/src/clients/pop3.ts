/**
 * Opening a logged-in POP3 session for a command, and the fetch loop's adapter over it.
 */
import { MailError } from '@mail/transport';
import { POP3 } from '@mail/pop3';
import type { Target } from '../config/account.js';
import { findCredentials } from '../config/password.js';
import type { CliIO } from '../io.js';
import type { CommonOptions } from '../options.js';
import type { FetchSession } from '../fetch/engine.js';
import { clientOptions } from './options.js';

/** Connects (TLS per target) and logs in when credentials are available. */
export async function openPop3(io: CliIO, opts: CommonOptions, target: Target): Promise<POP3> {
  const options = await clientOptions(io, opts, target);
  const credentials = await findCredentials(io, opts, target);
  const pop = await POP3.connect(options);
  if (credentials) {
    try {
      await pop.login(credentials.user, credentials.password);
    } catch (error) {
      await pop.close().catch(() => undefined);
      throw error;
    }
  }
  return pop;
}

/** Adapts a POP3 session to the fetch loop's {@link FetchSession}. */
export function fetchSession(pop: POP3): FetchSession {
  return {
    list: async () => (await pop.list()).map((e) => ({ n: e.msg, size: e.size })),
    uidl: async () => {
      try {
        return (await pop.uidl()).map((e) => ({ n: e.msg, uid: e.uid }));
      } catch (error) {
        // A server without UIDL (RFC 1939 lists it as optional) answers -ERR or lacks it in CAPA.
        if (MailError.is(error) && (error.code === 'POP3_REPLY' || error.code === 'POP3_NOT_SUPPORTED')) return undefined;
        throw error;
      }
    },
    // A mapping iterator, not an async generator: one promise per message instead of the
    // generator's own queue of them.
    retrieve: (ns) => ({
      [Symbol.asyncIterator]: (): AsyncIterator<{ n: number; message: Buffer }> => {
        const inner = pop.retrMany(ns)[Symbol.asyncIterator]();
        return {
          next: () =>
            inner.next().then((r): IteratorResult<{ n: number; message: Buffer }> => (r.done === true ? { done: true, value: undefined } : { done: false, value: { n: r.value.msg, message: r.value.data } })),
          return: async () => {
            // Stopping early (an error in the loop body) lets retrMany read what is in flight.
            await inner.return?.();
            return { done: true, value: undefined };
          },
        };
      },
    }),
    dele: async (ns) => {
      // One pipelined flight of DELEs (only after the messages are durably stored).
      await pop.deleMany(ns);
    },
    quit: async () => {
      await pop.quit();
    },
  };
}
