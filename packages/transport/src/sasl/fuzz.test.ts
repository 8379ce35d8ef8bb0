import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MailError } from '../errors.js';
import { createMechanism, supportedMechanisms } from './registry.js';
import { createServerMechanism, supportedServerMechanisms } from './server.js';

const PASSWORD = 'S3cr3t-Passw0rd!';
const TOKEN = 'tok-XYZ-1234567890';
const secrets = [PASSWORD, TOKEN, Buffer.from(PASSWORD).toString('base64'), Buffer.from(TOKEN).toString('base64'), Buffer.from(`\0user\0${PASSWORD}`).toString('base64')];
const context = { secure: true, host: 'mail.example', port: 587, channelBinding: () => Buffer.alloc(32, 3) };

/** A challenge: random bytes, or a SCRAM-looking message built from random parts. */
const challenge = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  fc
    .tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), fc.string({ maxLength: 6 }))
    .map(([r, s, i]) => Buffer.from(`r=${r},s=${s},i=${i}`)),
  fc.constantFrom('e=other-error', 'v=', 'v=AAAA', 'm=x', '{"status":"401"}').map((s) => Buffer.from(s)),
);

describe('hostile input', () => {
  it('client mechanisms throw only MailError on arbitrary challenges, and never leak secrets', () => {
    fc.assert(
      fc.property(fc.constantFrom(...supportedMechanisms), fc.boolean(), fc.array(challenge, { maxLength: 12 }), (name, useStart, challenges) => {
        const mech = createMechanism(name, { username: 'user', password: PASSWORD, token: TOKEN }, context, { minIterations: 1, maxIterations: 4096 });
        try {
          if (useStart) mech.start();
          for (const c of challenges) mech.step(c);
          mech.finish();
        } catch (e) {
          expect(MailError.is(e), String(e)).toBe(true);
          for (const secret of secrets) expect((e as Error).message).not.toContain(secret);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('server mechanisms return results (never throw) on arbitrary responses', () => {
    fc.assert(
      fc.property(fc.constantFrom(...supportedServerMechanisms), fc.option(challenge), fc.array(challenge, { maxLength: 6 }), (name, ir, responses) => {
        const server = createServerMechanism(name, { lookup: () => ({ password: PASSWORD }), iterations: 4096 });
        const results = [server.start(ir), ...responses.map((r) => server.step(r))];
        for (const r of results) {
          expect(Object.keys(r).length).toBe(1);
          if (r.error !== undefined) for (const secret of secrets) expect(r.error).not.toContain(secret);
        }
      }),
      { numRuns: 300 },
    );
  });
});
