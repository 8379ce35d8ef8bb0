// Leak detection: async_hooks sees every timer and socket handle created in a window and
// whether it was destroyed (cleared, fired, closed) by the end of it.
import { createHook } from 'node:async_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
/** TLSWRAP's destroy hook fires when the closed wrap is collected, so collect first. */
const gc = vm.runInNewContext('gc') as () => void;

const WATCHED = new Set(['Timeout', 'TCPWRAP', 'TLSWRAP', 'TCPCONNECTWRAP']);

/** Waits `ms`, then one more turn of the event loop. */
export async function settle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  await new Promise((r) => setImmediate(r));
}

/** Starts watching; `stop()` returns the types of the handles still alive. */
export function watchHandles(): { stop(): Promise<string[]> } {
  const live = new Map<number, string>();
  const hook = createHook({
    init(id, type) {
      if (WATCHED.has(type)) live.set(id, type);
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  return {
    async stop() {
      gc();
      await settle(10); // destroy hooks of collected wraps run asynchronously
      hook.disable();
      return [...live.values()].sort();
    },
  };
}
