// TLS material generated at test time with the openssl CLI (never committed keys).
// Generated once per machine and user into a cache directory under os.tmpdir() (shared by all
// test processes: vitest workers are killed without running exit hooks, so per-process temp
// directories would pile up), regenerated when older than a week; leaves expire in 30 days.
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  /** Directory holding every file (a shared cache: do not modify or delete it). */
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
  /** Generate fresh material into this directory (yours to remove) instead of using the shared cache. */
  readonly dir?: string;
}

const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const READY = 'ready';
let cached: Promise<TestCertificates> | undefined;

/** The shared cache directory (per user). */
export function certificateCacheDir(): string {
  return join(tmpdir(), `mail-test-certs-v1-${process.getuid?.() ?? 'user'}`);
}

/**
 * The test CA and leaf certificates: from the shared cache (generated on first use, EC P-256,
 * well under a second), or freshly into `opts.dir`.
 */
export function createTestCertificates(opts: CreateCertificatesOptions = {}): Promise<TestCertificates> {
  if (opts.dir !== undefined) {
    const dir = opts.dir;
    return generate(dir).then(() => load(dir));
  }
  if (!cached) {
    cached = fromCache(certificateCacheDir());
    // A failed generation must not poison later calls.
    cached.catch(() => { cached = undefined; });
  }
  return cached;
}

function fresh(dir: string): boolean {
  try {
    return Date.now() - statSync(join(dir, READY)).mtimeMs < MAX_AGE_MS;
  } catch {
    return false;
  }
}

async function fromCache(dir: string): Promise<TestCertificates> {
  if (fresh(dir)) return load(dir);
  // Generate beside it, then rename into place: concurrent processes never see half a set.
  const tmp = mkdtempSync(`${dir}.new-`);
  try {
    await generate(tmp);
    writeFileSync(join(tmp, READY), '');
    try {
      renameSync(tmp, dir);
    } catch {
      if (fresh(dir)) return load(dir); // another process won the race
      const old = `${dir}.old-${process.pid}`;
      renameSync(dir, old);
      renameSync(tmp, dir);
      rmSync(old, { recursive: true, force: true });
    }
    return load(dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function load(dir: string): TestCertificates {
  return {
    dir,
    ca: material(dir, 'ca'),
    server: material(dir, 'server'),
    otherHost: material(dir, 'other'),
    selfSigned: material(dir, 'self'),
    expired: material(dir, 'expired'),
  };
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

async function generate(dir: string): Promise<void> {
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
}
