// Faults a server can inject at one step of a session (promise 5), as fake-server replies.
import { act, type Action, type FakeServer, type Handler } from '@mail/test-servers';

/** What goes wrong at the step. */
export type Fault = 'close' | 'reset' | 'stall' | 'drip' | 'shutdown' | 'abort';
export const FAST_FAULTS: readonly Fault[] = ['close', 'reset', 'shutdown', 'abort'];
export const SLOW_FAULTS: readonly Fault[] = ['stall', 'drip'];

/** Milliseconds between two dripped bytes: every reply takes longer than the deadline. */
export const DRIP_EVERY = 100;

function bytesOf(actions: readonly Action[]): Buffer {
  return Buffer.concat(actions.flatMap((a) => (a.kind === 'write' || a.kind === 'split' || a.kind === 'drip' ? [a.data] : [])));
}

/**
 * Scripts `fault` as the server's answer to the next `step` (a verb or pseudo-verb).
 * `shutdown` is SMTP's 421 (RFC 5321 §3.8) or POP3's `-ERR [SYS/TEMP]`, then close.
 */
export function inject(server: FakeServer, step: string, fault: Fault, abort: AbortController): void {
  server.once(step, faultReply(server, fault, abort));
}

/** The handler that performs `fault` (see {@link inject}). */
export function faultReply(server: FakeServer, fault: Fault, abort: AbortController): Handler {
  return (_cmd, ctx) => {
    switch (fault) {
      case 'close': return act.close();
      case 'reset': return act.reset();
      case 'stall': return act.stall();
      case 'drip': return act.drip(bytesOf(ctx.defaultReply()), DRIP_EVERY);
      case 'shutdown':
        return act.closeWith(server.protocol === 'smtp' ? '421 4.3.2 Shutting down\r\n' : '-ERR [SYS/TEMP] Shutting down\r\n');
      case 'abort':
        abort.abort();
        return null;
    }
  };
}
