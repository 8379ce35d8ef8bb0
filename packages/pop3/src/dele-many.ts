/**
 * `deleMany`: marks many messages deleted with their DELEs pipelined (RFC 2449 §6.6) when the
 * server offers PIPELINING, one at a time otherwise. Meant for a caller that stored the
 * messages durably first and now deletes them in one round trip (e.g. `mailctl fetch`).
 */
import type { Core } from './core.js';
import { POP3ReplyError } from './errors.js';
import type { CallOptions } from './options.js';
import { checkMsg } from './retrieve.js';

/** DELEs per write: ~12 octets each, so a window always fits in the socket buffers. */
const DELE_WINDOW = 1024;

/**
 * Writes the DELEs in windows and reads every reply, so the session stays in sync even when
 * some are refused; the first `-ERR` is then thrown as a `POP3ReplyError` (the others stay
 * marked). Nothing is final before QUIT succeeds.
 */
export async function deleMany(core: Core, msgs: readonly number[], options: CallOptions = {}): Promise<void> {
  const { signal } = options;
  const numbers = msgs.map((m) => checkMsg(m));
  if (numbers.length === 0) return;
  await core.queue.run(async () => {
    core.assertReady();
    const window = core.capabilities?.pipelining === true ? DELE_WINDOW : 1;
    let refused: POP3ReplyError | undefined;
    for (let i = 0; i < numbers.length; i += window) {
      const group = numbers.slice(i, i + window);
      await core.conn.writeCommands(group.map((m) => `DELE ${m}`), { signal });
      for (const m of group) {
        const reply = await core.readStatus(signal);
        if (!reply.ok) refused ??= new POP3ReplyError(`DELE ${m}`, reply);
      }
    }
    if (refused !== undefined) throw refused;
  }, signal);
}
