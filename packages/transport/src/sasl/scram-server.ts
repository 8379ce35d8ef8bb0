/**
 * SCRAM server (RFC 5802 §5, RFC 7677) without channel binding: it never advertises -PLUS, so
 * it accepts the gs2 flags `n` and `y` and refuses `p=`. The user database holds cleartext
 * passwords (dev servers), so each exchange salts afresh with a random salt.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { decodeBase64Strict } from './base64.js';
import { HASH_LENGTH, NONCE, decodeSaslName, deriveKeys, hmac, parseAttributes, saltPassword, xor, type ScramHash, type ScramKeys } from './scram-common.js';
import {
  AUTH_FAILED,
  MALFORMED,
  defaultRandom,
  prepOrUndefined,
  utf8,
  type SaslServerMechanism,
  type SaslServerOptions,
  type SaslServerResult,
} from './server-common.js';

/** RFC 7677 §4: servers SHOULD announce at least 4096 iterations. */
const DEFAULT_ITERATIONS = 4096;

type State = 'start' | 'client-first' | 'client-final' | 'final-ack' | 'over';

/** Server side of SCRAM-SHA-1 / SCRAM-SHA-256. */
export class ScramServerMechanism implements SaslServerMechanism {
  readonly name: string;
  private state: State = 'start';
  private readonly random: (size: number) => Buffer;
  private readonly iterations: number;
  private username = '';
  private known = false;
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private keys: ScramKeys | undefined;

  constructor(
    private readonly hash: ScramHash,
    private readonly options: SaslServerOptions,
  ) {
    this.name = hash === 'sha1' ? 'SCRAM-SHA-1' : 'SCRAM-SHA-256';
    this.random = options.random ?? defaultRandom;
    this.iterations = options.iterations ?? DEFAULT_ITERATIONS;
  }

  start(initialResponse: Buffer | null): SaslServerResult {
    if (this.state !== 'start') return this.fail('the SASL exchange is already started');
    if (initialResponse === null) {
      this.state = 'client-first';
      return { challenge: Buffer.alloc(0) };
    }
    return this.clientFirst(initialResponse);
  }

  step(response: Buffer): SaslServerResult {
    switch (this.state) {
      case 'client-first':
        return this.clientFirst(response);
      case 'client-final':
        return this.clientFinal(response);
      case 'final-ack':
        // RFC 4422 §5: the client acknowledges the server-final challenge with an empty response.
        if (response.length !== 0) return this.fail(MALFORMED);
        this.state = 'over';
        return { done: { username: this.username } };
      case 'start':
      case 'over':
        return this.fail('the SASL exchange is not in progress');
    }
  }

  private fail(error: string): SaslServerResult {
    this.state = 'over';
    return { error };
  }

  private clientFirst(message: Buffer): SaslServerResult {
    const text = utf8(message);
    // gs2-header = gs2-cbind-flag "," [ authzid ] ","   (RFC 5802 §7)
    const m = text === undefined ? null : /^(n|y|p=[A-Za-z0-9.-]+),((?:a=[^,]*)?),(.*)$/s.exec(text);
    if (m === null) return this.fail(MALFORMED);
    const [, flag, authzidPart, bare] = m as unknown as [string, string, string, string];
    if (flag.startsWith('p=')) return this.fail('channel binding is not supported by this server');
    const attrs = parseAttributes(bare);
    if (attrs === undefined || attrs[0]?.[0] === 'm') return this.fail(MALFORMED);
    const [n, r] = attrs;
    if (n?.[0] !== 'n' || r?.[0] !== 'r' || !NONCE.test(r[1])) return this.fail(MALFORMED);
    const decoded = decodeSaslName(n[1]);
    const username = decoded === undefined ? undefined : prepOrUndefined(decoded);
    if (username === undefined || username === '') return this.fail(MALFORMED);
    if (authzidPart !== '') {
      const authzid = decodeSaslName(authzidPart.slice(2));
      if (authzid !== username) return this.fail('authorization identity not permitted');
    }

    this.username = username;
    this.gs2Header = `${flag},${authzidPart},`;
    this.clientFirstBare = bare;
    const stored = this.options.lookup(username)?.password;
    const password = stored === undefined ? undefined : prepOrUndefined(stored);
    this.known = password !== undefined;
    // RFC 5802 §5.1 ("unknown user"): carry on with made-up keys so that the exchange does
    // not reveal which user names exist; it fails at the proof.
    const salt = this.random(16);
    const salted = this.known ? saltPassword(this.hash, password as string, salt, this.iterations) : this.random(HASH_LENGTH[this.hash]);
    this.keys = deriveKeys(this.hash, salted);
    this.nonce = r[1] + this.random(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${salt.toString('base64')},i=${this.iterations}`;
    this.state = 'client-final';
    return { challenge: Buffer.from(this.serverFirst, 'utf8') };
  }

  private clientFinal(message: Buffer): SaslServerResult {
    const text = utf8(message);
    const cut = text?.lastIndexOf(',p=') ?? -1;
    if (text === undefined || cut < 0) return this.fail(MALFORMED);
    const withoutProof = text.slice(0, cut);
    const attrs = parseAttributes(withoutProof);
    const [c, r] = attrs ?? [];
    if (c?.[0] !== 'c' || r?.[0] !== 'r') return this.fail(MALFORMED);
    let proof: Buffer;
    let binding: Buffer;
    try {
      proof = decodeBase64Strict(text.slice(cut + 3), 'proof', 'MAIL_SASL');
      binding = decodeBase64Strict(c[1], 'channel binding', 'MAIL_SASL');
    } catch {
      return this.fail(MALFORMED);
    }
    // Without channel binding, c= is exactly the base64 of the gs2 header (RFC 5802 §5.1).
    if (!binding.equals(Buffer.from(this.gs2Header, 'utf8'))) return this.fail(AUTH_FAILED);
    if (r[1] !== this.nonce) return this.fail(MALFORMED);
    const keys = this.keys as ScramKeys;
    if (proof.length !== keys.clientKey.length) return this.fail(MALFORMED);

    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.hash, keys.storedKey, authMessage);
    const clientKey = xor(proof, clientSignature);
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const ok = timingSafeEqual(storedKey, keys.storedKey);
    if (!ok || !this.known) return this.fail(AUTH_FAILED);
    this.state = 'final-ack';
    const serverSignature = hmac(this.hash, keys.serverKey, authMessage);
    return { challenge: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8') };
  }
}
