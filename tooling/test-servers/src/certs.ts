// TLS material generated at test time with the openssl CLI (never committed keys).
// One temp directory per process, generated once and cached; removed at process exit.
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One key pair and certificate, as PEM strings and as files. */
export interface CertificateMaterial {
  /** PEM private key (PKCS#8). */
  readonly key: string;
  /** PEM certificate. */
  readonly cert: string;
  readonly keyPath: string;
  readonly certPath: string;
  /** base64 SHA-256 of the DER SubjectPublicKeyInfo (the HPKP / `--pin` style pin). */
  readonly spkiSha256: string;
}

/** Everything `createTestCertificates()` produces. */
export interface TestCertificates {
  /** Directory holding every file (removed when the process exits). */
  readonly dir: string;
  /** The test CA: trust `ca.cert` to verify `server`, `otherHost` and `expired`. */
  readonly ca: CertificateMaterial;
  /** CA-signed, SANs DNS:localhost, IP:127.0.0.1, IP:::1, valid now. */
  readonly server: CertificateMaterial;
  /** CA-signed, valid now, but for `other.example` only (hostname mismatch on localhost). */
  readonly otherHost: CertificateMaterial;
  /** Self-signed localhost certificate (not issued by `ca`). */
  readonly selfSigned: CertificateMaterial;
  /** CA-signed localhost certificate whose validity ended in 2020. */
  readonly expired: CertificateMaterial;
}

/** Options of {@link createTestCertificates}. */
export interface CreateCertificatesOptions {
  /** Generate into this directory instead of a cached per-process temp directory (not removed). */
  readonly dir?: string;
}

let cached: Promise<TestCertificates> | undefined;

/**
 * Generate (once per process, unless `opts.dir` is given) a test CA and leaf certificates.
 * Uses EC P-256 keys so generation takes well under a second.
 */
export function createTestCertificates(opts: CreateCertificatesOptions = {}): Promise<TestCertificates> {
  if (opts.dir !== undefined) return generate(opts.dir);
  if (!cached) {
    const dir = mkdtempSync(join(tmpdir(), 'mail-test-certs-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    cached = generate(dir);
    // A failed generation must not poison later calls.
    cached.catch(() => { cached = undefined; });
  }
  return cached;
}

/** base64 SHA-256 over the DER SubjectPublicKeyInfo of a PEM certificate. */
export function spkiSha256(certPem: string): string {
  const der = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

const LEAF_EXT = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n';

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir, timeout: 20_000 });
}

async function newKey(dir: string, name: string): Promise<void> {
  await openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
}

async function csr(dir: string, name: string, cn: string): Promise<void> {
  await newKey(dir, name);
  await openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`]);
}

function material(dir: string, name: string): CertificateMaterial {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  const cert = readFileSync(certPath, 'utf8');
  return { key: readFileSync(keyPath, 'utf8'), cert, keyPath, certPath, spkiSha256: spkiSha256(cert) };
}

async function signWithCa(dir: string, name: string, san: string): Promise<void> {
  writeFileSync(join(dir, `${name}.ext`), `${LEAF_EXT}subjectAltName=${san}\n`);
  await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-days', '30', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
}

/**
 * OpenSSL 3.0's `req -x509` / `x509 -req` cannot set a past notBefore, so the expired
 * certificate goes through `openssl ca` with a minimal config and explicit dates.
 */
async function signExpired(dir: string): Promise<void> {
  mkdirSync(join(dir, 'ca-db'), { recursive: true });
  writeFileSync(join(dir, 'ca-db/index.txt'), '');
  writeFileSync(join(dir, 'ca-db/serial'), '1000\n');
  writeFileSync(join(dir, 'ca.cnf'), [
    '[ca]', 'default_ca = test_ca', '[test_ca]', 'database = ca-db/index.txt', 'new_certs_dir = ca-db',
    'serial = ca-db/serial', 'default_md = sha256', 'policy = any', 'unique_subject = no', 'email_in_dn = no',
    '[any]', 'commonName = supplied', '[leaf]', ...LEAF_EXT.trim().split('\n'),
    'subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1', '',
  ].join('\n'));
  await openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-in', 'expired.csr',
    '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-extensions', 'leaf', '-notext', '-out', 'expired.crt']);
}

async function generate(dir: string): Promise<TestCertificates> {
  mkdirSync(dir, { recursive: true });
  await newKey(dir, 'ca');
  await openssl(dir, ['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=mail test CA', '-days', '30', '-sha256',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.crt']);
  await Promise.all([csr(dir, 'server', 'localhost'), csr(dir, 'other', 'other.example'), csr(dir, 'expired', 'localhost'),
    newKey(dir, 'self')]);
  await signWithCa(dir, 'server', 'DNS:localhost,IP:127.0.0.1,IP:::1');
  await signWithCa(dir, 'other', 'DNS:other.example');
  await signExpired(dir);
  await openssl(dir, ['req', '-x509', '-new', '-key', 'self.key', '-subj', '/CN=localhost', '-days', '30', '-sha256',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1', '-addext', 'basicConstraints=critical,CA:FALSE',
    '-out', 'self.crt']);
  return {
    dir,
    ca: material(dir, 'ca'),
    server: material(dir, 'server'),
    otherHost: material(dir, 'other'),
    selfSigned: material(dir, 'self'),
    expired: material(dir, 'expired'),
  };
}
