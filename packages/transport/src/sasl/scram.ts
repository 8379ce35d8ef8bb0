/**
 * SCRAM client (RFC 5802; SHA-256 per RFC 7677), with channel binding for the -PLUS variants
 * (`tls-exporter` per RFC 9266 for TLS 1.3, `tls-unique` per RFC 5929 for TLS 1.2).
 *
 * Exchange: client-first `gs2-header n=user,r=cnonce`; server-first `r=nonce,s=salt,i=count`;
 * client-final `c=cbind,r=nonce,p=proof`; server-final `v=signature`, which is verified:
 * a server that cannot prove it knows the password is refused even if it says "success".
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { MailError } from '../errors.js';
import { ClientMechanism, requirePassword } from './base.js';
import { decodeBase64Strict } from './base64.js';
import { NONCE, deriveKeys, encodeSaslName, hmac, parseAttributes, saltPassword, xor, type ScramHash } from './scram-common.js';
import { saslprep } from './saslprep.js';
import {
  sanitizeServerText,
  saslError,
  type ChannelBindingKind,
  type MechanismOptions,
  type SaslContext,
  type SaslCredentials,
} from './types.js';

/** RFC 7677 §4: at least 4096 iterations. */
const DEFAULT_MIN_ITERATIONS = 4096;
/** A hostile server could ask for 2^31 PBKDF2 rounds; refuse what would take seconds. */
const DEFAULT_MAX_ITERATIONS = 1_000_000;

/** The channel binding a -PLUS exchange uses: tls-exporter first (RFC 9266), else tls-unique. */
export function pickChannelBinding(context: SaslContext): { kind: ChannelBindingKind; data: Buffer } | undefined {
  if (!context.secure || context.channelBinding === undefined) return undefined;
  for (const kind of ['tls-exporter', 'tls-unique'] as const) {
    const data = context.channelBinding(kind);
    if (data !== undefined && data.length > 0) return { kind, data };
  }
  return undefined;
}

type State = 'initial' | 'first-sent' | 'final-sent' | 'verified';

/** A SCRAM client mechanism: SCRAM-SHA-1, SCRAM-SHA-256, and their -PLUS variants. */
export class ScramMechanism extends ClientMechanism {
  readonly name: string;
  readonly clientFirst = true;
  private state: State = 'initial';
  private readonly hash: ScramHash;
  private readonly gs2Header: string;
  private readonly cbData: Buffer;
  private readonly clientFirstBare: string;
  private readonly clientNonce: string;
  private readonly password: string;
  private readonly minIterations: number;
  private readonly maxIterations: number;
  private expectedServerSignature: Buffer | undefined;

  constructor(hash: ScramHash, plus: boolean, credentials: SaslCredentials, context: SaslContext, options: MechanismOptions = {}) {
    super(options);
    this.hash = hash;
    this.name = `SCRAM-${hash === 'sha1' ? 'SHA-1' : 'SHA-256'}${plus ? '-PLUS' : ''}`;
    // RFC 5802 §5.1: user names and passwords are prepared with SASLprep (as queries, §2.2).
    this.password = saslprep(requirePassword(this.name, credentials), { what: 'the password' });
    const username = saslprep(credentials.username, { what: 'the user name' });
    const authzid = credentials.authzid === undefined || credentials.authzid === '' ? '' : `a=${encodeSaslName(saslprep(credentials.authzid, { what: 'the authorization identity' }))}`;
    this.minIterations = options.minIterations ?? DEFAULT_MIN_ITERATIONS;
    this.maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;

    const binding = pickChannelBinding(context);
    let flag: string;
    if (plus) {
      if (binding === undefined) {
        throw saslError(`${this.name} needs TLS channel binding (tls-exporter or tls-unique), which this connection does not provide`);
      }
      flag = `p=${binding.kind}`;
      this.cbData = binding.data;
    } else {
      // RFC 5802 §6: `y` = "I support channel binding but think you do not" (lets a server
      // that does offer -PLUS detect a stripped mechanism list); `n` = no support, or the
      // caller knowingly chose the plain variant although the server offers -PLUS.
      flag = binding !== undefined && options.serverOffersPlus !== true ? 'y' : 'n';
      this.cbData = Buffer.alloc(0);
    }
    this.gs2Header = `${flag},${authzid},`;

    this.clientNonce = options.nonce?.() ?? randomBytes(18).toString('base64');
    if (!NONCE.test(this.clientNonce)) {
      throw new MailError('MAIL_INVALID_ARGUMENT', 'SCRAM nonce must be printable ASCII without commas (RFC 5802 §7)');
    }
    this.clientFirstBare = `n=${encodeSaslName(username)},r=${this.clientNonce}`;
  }

  protected initial(): Buffer {
    this.state = 'first-sent';
    return Buffer.from(this.gs2Header + this.clientFirstBare, 'utf8');
  }

  protected respond(challenge: Buffer): Buffer {
    switch (this.state) {
      case 'first-sent':
        return this.clientFinal(challenge);
      case 'final-sent':
        this.verifyServerFinal(challenge);
        // RFC 4422 §5: server-final as a challenge is answered with an empty response.
        return Buffer.alloc(0);
      case 'initial':
      case 'verified':
        throw saslError(`${this.name}: unexpected server challenge`);
    }
  }

  override finish(additionalData?: Buffer): void {
    if (this.state === 'final-sent' && additionalData !== undefined && additionalData.length > 0) {
      this.verifyServerFinal(additionalData);
    }
    if (this.state !== 'verified') {
      // RFC 5802 §5: the client MUST verify ServerSignature; "success" alone proves nothing.
      throw saslError(`${this.name}: the server reported success without proving that it knows the password (no server signature); refusing the session`);
    }
  }

  private clientFinal(challenge: Buffer): Buffer {
    const serverFirst = challenge.toString('latin1');
    // RFC 5802 §7: server-first-message is printable ASCII (nonce, base64, digits, extensions).
    if (!/^[\x20-\x7e]+$/.test(serverFirst)) throw saslError(`${this.name}: malformed server-first-message`);
    if (serverFirst.startsWith('e=')) {
      throw saslError(`${this.name}: the server reported an error: ${sanitizeServerText(serverFirst.slice(2))}`);
    }
    const attrs = parseAttributes(serverFirst);
    if (attrs === undefined) throw saslError(`${this.name}: malformed server-first-message`);
    // RFC 5802 §5.1 "m": an unknown mandatory extension must make the client fail.
    if (attrs[0]?.[0] === 'm') throw saslError(`${this.name}: the server requires an unsupported SCRAM extension`);
    const [r, s, i] = attrs;
    if (r?.[0] !== 'r' || s?.[0] !== 's' || i?.[0] !== 'i') throw saslError(`${this.name}: malformed server-first-message`);
    const nonce = r[1];
    if (!NONCE.test(nonce) || !nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) {
      throw saslError(`${this.name}: the server nonce does not extend the client nonce`);
    }
    const salt = decodeBase64Strict(s[1], `${this.name} salt`, 'MAIL_SASL');
    if (salt.length === 0) throw saslError(`${this.name}: the server sent an empty salt`);
    if (!/^[1-9][0-9]{0,9}$/.test(i[1])) throw saslError(`${this.name}: malformed iteration count`);
    const iterations = Number(i[1]);
    if (iterations < this.minIterations || iterations > this.maxIterations) {
      throw saslError(
        `${this.name}: the server asked for ${iterations} iterations, outside the accepted ${this.minIterations}..${this.maxIterations} (RFC 7677 §4)`,
      );
    }

    const channelBinding = Buffer.concat([Buffer.from(this.gs2Header, 'utf8'), this.cbData]).toString('base64');
    const clientFinalWithoutProof = `c=${channelBinding},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
    const keys = deriveKeys(this.hash, saltPassword(this.hash, this.password, salt, iterations));
    const clientSignature = hmac(this.hash, keys.storedKey, authMessage);
    const proof = xor(keys.clientKey, clientSignature);
    this.expectedServerSignature = hmac(this.hash, keys.serverKey, authMessage);
    this.state = 'final-sent';
    return Buffer.from(`${clientFinalWithoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  private verifyServerFinal(message: Buffer): void {
    const text = message.toString('latin1');
    if (text.startsWith('e=')) {
      // RFC 5802 §7 server-error-value, e.g. invalid-proof, unknown-user.
      throw saslError(`${this.name}: the server reported an error: ${sanitizeServerText(text.slice(2).split(',')[0] ?? '')}`);
    }
    const first = text.split(',')[0] ?? '';
    if (!first.startsWith('v=')) throw saslError(`${this.name}: malformed server-final-message`);
    const signature = decodeBase64Strict(first.slice(2), `${this.name} server signature`, 'MAIL_SASL');
    const expected = this.expectedServerSignature as Buffer;
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      throw saslError(`${this.name}: the server signature is wrong: the server does not know the password, or the exchange was tampered with`);
    }
    this.state = 'verified';
    this.finished = true;
  }
}
