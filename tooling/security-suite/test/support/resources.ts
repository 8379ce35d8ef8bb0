// Leak check (promise 5): after a scenario, no socket, server, TLS wrap or timer of ours is
// left. vitest has handles of its own, so we compare with a baseline taken before.
import { expect } from 'vitest';

const KINDS = ['TCPSocketWrap', 'TCPServerWrap', 'TLSWrap', 'Timeout'] as const;
type Counts = Record<(typeof KINDS)[number], number>;

/** Counts of the handle types a client or server could leak. */
export function handles(): Counts {
  const out: Counts = { TCPSocketWrap: 0, TCPServerWrap: 0, TLSWrap: 0, Timeout: 0 };
  for (const r of process.getActiveResourcesInfo()) if (r in out) out[r as keyof Counts]++;
  return out;
}

/**
 * Waits (bounded, 2 s) until no handle kind exceeds `baseline`; fails with the counts if
 * something stays open. Closing sockets takes a few event-loop turns, hence the polling.
 */
export async function expectNoLeak(baseline: Counts): Promise<void> {
  const deadline = Date.now() + 2000;
  let now = handles();
  const over = (): boolean => KINDS.some((k) => now[k] > baseline[k]);
  while (over() && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setImmediate(r));
    now = handles();
  }
  expect(now, 'handles left open after the scenario').toEqual(
    Object.fromEntries(KINDS.map((k) => [k, Math.min(now[k], baseline[k])])),
  );
}
