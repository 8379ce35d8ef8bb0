/**
 * Server-side SASL mechanisms (RFC 4422) as small sans-I/O state machines: PLAIN (RFC 4616),
 * LOGIN (draft-murchison-sasl-login), CRAM-MD5 (RFC 2195) and SCRAM-SHA-256 (RFC 7677 /
 * RFC 5802, without channel binding).
 *
 * A local shim, a copy of the SMTP server's: @mail/transport's `sasl/` has server
 * mechanisms too but does not export them from its entry point yet, and its lookup is
 * synchronous; switch when it does.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** Looks up a user's password (needed by CRAM-MD5 and SCRAM); undefined = no such user. */
export type PasswordLookup = (user: string) => Promise<string | undefined> | string | undefined;

/** One step of a server mechanism. */
export type ServerStep =
  | { type: 'challenge'; data: Buffer }
  | { type: 'success'; user: string }
  | { type: 'failure'; reason: 'credentials' | 'malformed' };

/** A server mechanism: feed the client's responses (null = no initial response). */
export interface ServerMechanism {
  readonly name: string;
  step(response: Buffer | null): Promise<ServerStep>;
}

/** The mechanisms this module implements, strongest first. */
export const SERVER_MECHANISMS = ['SCRAM-SHA-256', 'CRAM-MD5', 'PLAIN', 'LOGIN'] as const;

/** Constant-time string comparison (no early exit on the first differing byte). */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

async function checkPassword(lookup: PasswordLookup, user: string, password: string): Promise<boolean> {
  const expected = await lookup(user);
  // Compare even for unknown users so that timing does not reveal which users exist.
  return safeEqual(expected ?? '\0unknown', password) && expected !== undefined;
}

/** Creates the server side of `name` (upper case), or undefined when not supported. */
export function createServerMechanism(name: string, options: { lookup: PasswordLookup; hostname: string }): ServerMechanism | undefined {
  switch (name.toUpperCase()) {
    case 'PLAIN':
      return plain(options.lookup);
    case 'LOGIN':
      return login(options.lookup);
    case 'CRAM-MD5':
      return cramMd5(options.lookup, options.hostname);
    case 'SCRAM-SHA-256':
      return new ScramSha256(options.lookup);
    default:
      return undefined;
  }
}

const empty = Buffer.alloc(0);

function plain(lookup: PasswordLookup): ServerMechanism {
  return {
    name: 'PLAIN',
    async step(response) {
      if (response === null) return { type: 'challenge', data: empty };
      const parts = response.toString('utf8').split('\0');
      if (parts.length !== 3) return { type: 'failure', reason: 'malformed' };
      const [authzid, authcid, password] = parts as [string, string, string];
      // Acting as another user is not supported (RFC 4616 §2: the server decides).
      if (authzid !== '' && authzid !== authcid) return { type: 'failure', reason: 'credentials' };
      return (await checkPassword(lookup, authcid, password)) ? { type: 'success', user: authcid } : { type: 'failure', reason: 'credentials' };
    },
  };
}

function login(lookup: PasswordLookup): ServerMechanism {
  let user: string | undefined;
  return {
    name: 'LOGIN',
    async step(response) {
      if (user === undefined) {
        if (response === null) return { type: 'challenge', data: Buffer.from('Username:') };
        user = response.toString('utf8');
        return { type: 'challenge', data: Buffer.from('Password:') };
      }
      if (response === null) return { type: 'failure', reason: 'malformed' };
      return (await checkPassword(lookup, user, response.toString('utf8'))) ? { type: 'success', user } : { type: 'failure', reason: 'credentials' };
    },
  };
}

function cramMd5(lookup: PasswordLookup, hostname: string): ServerMechanism {
  // RFC 2195 §2: a presumptively arbitrary string in msg-id form.
  const challenge = `<${randomBytes(8).readBigUInt64BE().toString()}.${Date.now()}@${hostname}>`;
  let sent = false;
  return {
    name: 'CRAM-MD5',
    async step(response) {
      if (!sent) {
        sent = true;
        return { type: 'challenge', data: Buffer.from(challenge) };
      }
      const m = /^(.+) ([0-9a-f]{32})$/.exec(response?.toString('utf8') ?? '');
      if (!m) return { type: 'failure', reason: 'malformed' };
      const user = m[1]!;
      const password = await lookup(user);
      const expected = createHmac('md5', password ?? randomBytes(16)).update(challenge).digest('hex');
      return password !== undefined && safeEqual(expected, m[2]!) ? { type: 'success', user } : { type: 'failure', reason: 'credentials' };
    },
  };
}

/** RFC 7677 §4: at least 4096 iterations. */
const SCRAM_ITERATIONS = 4096;

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

/** SCRAM-SHA-256 server (RFC 5802 §5), without channel binding (gs2 flag `n` or `y`). */
class ScramSha256 implements ServerMechanism {
  readonly name = 'SCRAM-SHA-256';
  #state: 'first' | 'final' | 'verify' = 'first';
  #user = '';
  #nonce = '';
  #gs2 = '';
  #authPrefix = '';
  #salted: Buffer = empty;
  #known = false;
  readonly #lookup: PasswordLookup;

  constructor(lookup: PasswordLookup) {
    this.#lookup = lookup;
  }

  async step(response: Buffer | null): Promise<ServerStep> {
    switch (this.#state) {
      case 'first':
        return this.#first(response);
      case 'final':
        return this.#final(response);
      case 'verify':
        // The client's empty answer to the server-final message (v=...).
        return { type: 'success', user: this.#user };
    }
  }

  async #first(response: Buffer | null): Promise<ServerStep> {
    if (response === null) return { type: 'challenge', data: empty };
    const text = response.toString('utf8');
    const m = /^([ny]),(a=[^,]*)?,(n=([^,]*),r=([\x21-\x2b\x2d-\x7e]+)(?:,.*)?)$/.exec(text);
    if (!m) return { type: 'failure', reason: 'malformed' };
    this.#gs2 = `${m[1]},${m[2] ?? ''},`;
    this.#user = m[4]!.replace(/=2C/g, ',').replace(/=3D/g, '=');
    const stored = await this.#lookup(this.#user);
    this.#known = stored !== undefined;
    // An unknown user gets a normal-looking exchange that fails at the proof (no user probing).
    const password = stored ?? randomBytes(16).toString('hex');
    const salt = randomBytes(16);
    this.#salted = pbkdf2Sync(password.normalize('NFKC'), salt, SCRAM_ITERATIONS, 32, 'sha256');
    this.#nonce = m[5]! + randomBytes(18).toString('base64');
    const serverFirst = `r=${this.#nonce},s=${salt.toString('base64')},i=${SCRAM_ITERATIONS}`;
    this.#authPrefix = `${m[3]},${serverFirst}`;
    this.#state = 'final';
    return { type: 'challenge', data: Buffer.from(serverFirst) };
  }

  async #final(response: Buffer | null): Promise<ServerStep> {
    const text = response?.toString('utf8') ?? '';
    const m = /^(c=([^,]*),r=([^,]*)(?:,.*?)?),p=([A-Za-z0-9+/=]+)$/.exec(text);
    if (!m) return { type: 'failure', reason: 'malformed' };
    if (Buffer.from(m[2]!, 'base64').toString('utf8') !== this.#gs2 || m[3] !== this.#nonce) return { type: 'failure', reason: 'malformed' };
    const authMessage = `${this.#authPrefix},${m[1]}`;
    const clientKeyExpected = hmac(this.#salted, 'Client Key');
    const storedKey = sha256(clientKeyExpected);
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.from(m[4]!, 'base64');
    if (proof.length !== signature.length) return { type: 'failure', reason: 'credentials' };
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
    if (!timingSafeEqual(sha256(clientKey), storedKey) || !this.#known) return { type: 'failure', reason: 'credentials' };
    const serverSignature = hmac(hmac(this.#salted, 'Server Key'), authMessage);
    this.#state = 'verify';
    return { type: 'challenge', data: Buffer.from(`v=${serverSignature.toString('base64')}`) };
  }
}
