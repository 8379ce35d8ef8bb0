// TLS material generated at test time with the openssl CLI in a temp dir (no committed keys).
// An expired certificate needs `openssl ca -startdate/-enddate`: `openssl x509 -req -days`
// cannot backdate in OpenSSL 3.0.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pair {
  key: string;
  cert: string;
}

export interface Material {
  dir: string;
  ca: Pair;
  /** CA-signed, DNS:localhost, IP:127.0.0.1, IP:::1. */
  server: Pair;
  /** CA-signed for other.example only. */
  otherHost: Pair;
  /** Self-signed localhost/127.0.0.1. */
  selfSigned: Pair;
  /** CA-signed localhost/127.0.0.1, valid 2020-01-01 .. 2020-12-31. */
  expired: Pair;
  /** A second CA nobody trusts, and a localhost certificate from it. */
  untrusted: Pair;
  cleanup(): void;
}

const SAN_LOCAL = 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1';

export function makeMaterial(): Material {
  const dir = mkdtempSync(join(tmpdir(), 'mail-transport-tls-'));
  const p = (name: string): string => join(dir, name);
  const ossl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  };
  const key = (name: string): void => ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p(`${name}.key`));
  const read = (name: string): Pair => ({ key: readFileSync(p(`${name}.key`), 'utf8'), cert: readFileSync(p(`${name}.crt`), 'utf8') });
  const makeCA = (name: string): void => {
    key(name);
    ossl('req', '-x509', '-new', '-key', p(`${name}.key`), '-subj', `/CN=${name} test CA`, '-days', '2',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', p(`${name}.crt`));
  };
  const issue = (name: string, ca: string, cn: string, san: string): void => {
    key(name);
    ossl('req', '-new', '-key', p(`${name}.key`), '-subj', `/CN=${cn}`, '-out', p(`${name}.csr`));
    writeFileSync(p(`${name}.ext`), `${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
    ossl('x509', '-req', '-in', p(`${name}.csr`), '-CA', p(`${ca}.crt`), '-CAkey', p(`${ca}.key`), '-CAcreateserial',
      '-days', '2', '-extfile', p(`${name}.ext`), '-out', p(`${name}.crt`));
  };
  makeCA('ca');
  makeCA('rogue');
  issue('server', 'ca', 'localhost', SAN_LOCAL);
  issue('other', 'ca', 'other.example', 'subjectAltName=DNS:other.example');
  issue('untrusted', 'rogue', 'localhost', SAN_LOCAL);
  key('self');
  ossl('req', '-x509', '-new', '-key', p('self.key'), '-subj', '/CN=localhost', '-days', '2', '-addext', SAN_LOCAL, '-out', p('self.crt'));
  // Expired: `openssl ca` takes explicit dates.
  key('expired');
  ossl('req', '-new', '-key', p('expired.key'), '-subj', '/CN=localhost', '-out', p('expired.csr'));
  writeFileSync(p('index.txt'), '');
  writeFileSync(p('serial'), '1000\n');
  writeFileSync(p('ca.cnf'), [
    '[ca]', 'default_ca=test', '[test]', `dir=${dir}`, 'database=$dir/index.txt', 'serial=$dir/serial',
    'new_certs_dir=$dir', 'default_md=sha256', 'policy=any', 'copy_extensions=none', 'x509_extensions=ext', 'unique_subject=no',
    '[any]', 'commonName=supplied', '[ext]', SAN_LOCAL, 'basicConstraints=CA:FALSE', '',
  ].join('\n'));
  ossl('ca', '-batch', '-config', p('ca.cnf'), '-cert', p('ca.crt'), '-keyfile', p('ca.key'), '-in', p('expired.csr'),
    '-startdate', '20200101000000Z', '-enddate', '20201231000000Z', '-notext', '-out', p('expired.crt'));
  return {
    dir,
    ca: read('ca'),
    server: read('server'),
    otherHost: read('other'),
    selfSigned: read('self'),
    expired: read('expired'),
    untrusted: read('untrusted'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
