// The suite's own instruments must be able to fail: the leak check sees a leaked socket and
// timer, and scenario tables refuse duplicates and emptiness.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { fakeServer } from './support/harness.js';
import { expectNoLeak, handles } from './support/resources.js';
import { scenarios } from './support/scenarios.js';

describe('harness', () => {
  it('the leak check fails on a socket and a timer left open, and passes once they are closed', async () => {
    const baseline = handles();
    const server = await fakeServer('pop3');
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const timer = setTimeout(() => undefined, 60_000);
    await expect(expectNoLeak(baseline)).rejects.toThrow(/handles left open/);
    socket.destroy();
    clearTimeout(timer);
    await server.close();
    await expectNoLeak(baseline);
  });

  it('scenario tables must be non-empty with unique names', () => {
    expect(() => scenarios(9, [])).toThrow(/empty/);
    expect(() => scenarios(9, [{ name: 'a' }, { name: 'a' }])).toThrow(/duplicate/);
  });
});
