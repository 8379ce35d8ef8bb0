// peersGlobalSetup: provides running peers, reports missing ones outside CI, fails in CI.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestProject } from 'vitest/node';
import { peerMissing, peerProcesses, type ProvidedPeers, peersGlobalSetup } from '../src/index.js';

function fakeProject(): { project: TestProject; provided: () => ProvidedPeers | undefined } {
  let value: ProvidedPeers | undefined;
  const project = { provide: (key: string, v: ProvidedPeers) => { if (key === 'peers') value = v; } };
  return { project: project as unknown as TestProject, provided: () => value };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('peersGlobalSetup', () => {
  it('fails the run in CI when a peer is missing (Postfix without root)', async () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    vi.stubEnv('CI', 'true');
    expect(peerMissing('postfix')).toMatch(/need root/);
    const { project, provided } = fakeProject();
    await expect(peersGlobalSetup(['postfix'])(project)).rejects.toThrow(/postfix is required in CI but not available: Postfix instances need root/);
    expect(provided()).toBeUndefined();
  });

  it('outside CI reports the missing peer and provides nothing for it', async () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { project, provided } = fakeProject();
    const teardown = await peersGlobalSetup(['postfix'])(project);
    expect(provided()).toEqual({ running: {}, missing: { postfix: expect.stringMatching(/need root/) } });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[peers\] postfix not available .*skipped outside CI/));
    await teardown();
  });

  it.skipIf(peerMissing('smtp-sink') !== undefined && process.env.CI !== 'true')('provides running peers and stops them at teardown', async () => {
    const { project, provided } = fakeProject();
    const teardown = await peersGlobalSetup(['smtp-sink'])(project);
    const sink = provided()!.running['smtp-sink']!;
    expect(sink.ports.smtp).toBeGreaterThan(0);
    expect(existsSync(sink.dir)).toBe(true);
    await teardown();
    expect(existsSync(sink.dir)).toBe(false);
    expect(peerProcesses(sink)).toEqual([]);
  });
});
