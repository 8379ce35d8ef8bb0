// vitest globalSetup factory: start peers once per package run, hand them to tests through
// provide/inject, stop them at teardown. In CI (CI=true) a missing peer fails the run;
// elsewhere it is reported and the tests that need it skip.
import type { TestProject } from 'vitest/node';
import { type PeerInfo, peerMissing, type StartPeerOptions, startPeer, stopPeer } from './peers.js';
import type { PeerName } from './recipes.js';

/** What `inject('peers')` returns in tests. */
export interface ProvidedPeers {
  /** Running peers by name. */
  readonly running: Partial<Record<PeerName, PeerInfo>>;
  /** Peers that were asked for but are not installed here, with the reason. */
  readonly missing: Partial<Record<PeerName, string>>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    peers: ProvidedPeers;
  }
}

/** True when running in CI, where missing peers are errors. */
export function inCI(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

/**
 * `export default peersGlobalSetup(['dovecot'])` in a package's `test/peers.global-setup.ts`,
 * then `packageTestConfig(import.meta.dirname, {}, { globalSetup: ['test/peers.global-setup.ts'] })`.
 */
export function peersGlobalSetup(names: readonly PeerName[], options: Partial<Record<PeerName, StartPeerOptions>> = {}) {
  return async function setup(project: TestProject): Promise<() => Promise<void>> {
    const missing: Partial<Record<PeerName, string>> = {};
    const wanted: PeerName[] = [];
    for (const name of names) {
      const why = peerMissing(name);
      if (why === undefined) { wanted.push(name); continue; }
      if (inCI()) throw new Error(`peer ${name} is required in CI but not available: ${why}`);
      missing[name] = why;
      console.warn(`[peers] ${name} not available (${why}): its tests are skipped outside CI`);
    }
    const results = await Promise.allSettled(wanted.map((name) => startPeer(name, options[name])));
    const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.allSettled(started.map((p) => stopPeer(p)));
      throw failed.reason;
    }
    const running: Partial<Record<PeerName, PeerInfo>> = {};
    for (const p of started) running[p.name] = p;
    project.provide('peers', { running, missing });
    return async () => {
      const stops = await Promise.allSettled(started.map((p) => stopPeer(p)));
      const bad = stops.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (bad) throw bad.reason;
    };
  };
}
