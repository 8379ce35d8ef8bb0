/**
 * Calls a command hook (onConnect, onMailFrom, onRcptTo) with the `hookTimeout` deadline and
 * turns its outcome into a reply.
 */
import { hookReply } from './context.js';
import { runWithTimeout, TIMED_OUT } from './hook-timeout.js';
import type { Session } from './session.js';
import type { HookResult, ServerReply } from './types.js';

/**
 * The reply for a command whose hook missed its deadline. RFC 5321 §4.2.2: 451 "Requested
 * action aborted: local error in processing" (a transient failure, the client may retry);
 * RFC 3463 §3.5: X.3.0 "Other or undefined mail system status".
 */
export const HOOK_TIMEOUT_REPLY: ServerReply = { code: 451, enhanced: '4.3.0', message: 'Timeout in local processing, try again later' };

/**
 * Runs `hook` (if any) with the session's hook deadline. Returns `accept` for no hook, the
 * hook's reply, `451 4.3.0` for a thrown error, or `onTimeout` when the hook did not settle
 * in time (logged; the hook's signal is aborted and a late result ignored).
 */
export async function callHook(
  session: Session,
  name: string,
  hook: ((signal: AbortSignal) => HookResult | Promise<HookResult>) | undefined,
  accept: ServerReply,
  onTimeout: ServerReply = HOOK_TIMEOUT_REPLY,
): Promise<ServerReply> {
  if (!hook) return accept;
  const log = (line: string): void => session.log(line);
  try {
    const result = await runWithTimeout(name, session.config.hookTimeout, hook);
    if (result === TIMED_OUT) {
      session.log(`${name} hook timed out after ${session.config.hookTimeout} ms`);
      return onTimeout;
    }
    return hookReply(result, accept, log);
  } catch (error) {
    return hookReply(error instanceof Error ? error : new Error(String(error)), accept, log);
  }
}
