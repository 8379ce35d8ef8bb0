// Server side of SASL PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login) and CRAM-MD5
// (RFC 2195) for the fake servers, shared by SMTP AUTH (RFC 4954) and POP3 AUTH (RFC 5034).
import { createHmac, randomBytes } from 'node:crypto';

/** Mechanisms the fake servers offer, in EHLO/CAPA order. */
export const SASL_MECHANISMS = ['PLAIN', 'LOGIN', 'CRAM-MD5'] as const;

/** An exchange in progress. */
export interface SaslState {
  readonly mech: string;
  step: number;
  challenge?: string;
  user?: string;
}

/** Result of one SASL step. */
export type SaslOutcome =
  | { readonly kind: 'continue'; readonly challenge: Buffer }
  | { readonly kind: 'ok'; readonly user: string }
  | { readonly kind: 'fail' }
  | { readonly kind: 'abort' };

/** Accepted credentials; `undefined` accepts any well-formed credentials. */
export type Users = Readonly<Record<string, string>> | undefined;

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decode(text: string): Buffer | undefined {
  const t = text.trim();
  return B64.test(t) ? Buffer.from(t, 'base64') : undefined;
}

function check(users: Users, user: string, pass: string): SaslOutcome {
  if (users === undefined || users[user] === pass) return { kind: 'ok', user };
  return { kind: 'fail' };
}

/** Start `mech` with an optional initial response (`=` means empty, RFC 4954 §4). */
export function saslStart(mech: string, initial: string | undefined, users: Users): { state: SaslState; outcome: SaslOutcome } {
  const state: SaslState = { mech: mech.toUpperCase(), step: 0 };
  if (state.mech === 'CRAM-MD5') {
    state.challenge = `<${randomBytes(6).toString('hex')}.${Date.now()}@localhost>`;
    return { state, outcome: { kind: 'continue', challenge: Buffer.from(state.challenge) } };
  }
  if (initial === undefined) {
    const challenge = state.mech === 'LOGIN' ? Buffer.from('Username:') : Buffer.alloc(0);
    return { state, outcome: { kind: 'continue', challenge } };
  }
  return { state, outcome: saslStep(state, initial === '=' ? '' : initial, users) };
}

/** Feed one client response line (base64, or `*` to cancel). */
export function saslStep(state: SaslState, line: string, users: Users): SaslOutcome {
  if (line.trim() === '*') return { kind: 'abort' };
  const data = decode(line);
  if (!data) return { kind: 'fail' };
  state.step++;
  switch (state.mech) {
    case 'PLAIN': {
      const parts = data.toString('utf8').split('\0');
      if (parts.length !== 3) return { kind: 'fail' };
      return check(users, parts[1]!, parts[2]!);
    }
    case 'LOGIN':
      if (state.user === undefined) {
        state.user = data.toString('utf8');
        return { kind: 'continue', challenge: Buffer.from('Password:') };
      }
      return check(users, state.user, data.toString('utf8'));
    case 'CRAM-MD5': {
      const m = /^(.+) ([0-9a-f]{32})$/.exec(data.toString('utf8'));
      if (!m) return { kind: 'fail' };
      const [, user, digest] = m as unknown as [string, string, string];
      if (users === undefined) return { kind: 'ok', user };
      const pass = users[user];
      if (pass === undefined || state.challenge === undefined) return { kind: 'fail' };
      const want = createHmac('md5', pass).update(state.challenge).digest('hex');
      return want === digest ? { kind: 'ok', user } : { kind: 'fail' };
    }
    default:
      return { kind: 'fail' };
  }
}
