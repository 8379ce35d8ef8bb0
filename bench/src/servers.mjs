// Starts the servers the benchmarks talk to, on free loopback ports, through the tested
// recipes in tooling/peers (reached through the @mail/peers package, not a relative path).
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { chownSync, readFileSync, readdirSync, renameSync, writeFileSync, mkdirSync, rmSync, statSync } from 'node:fs';

// The package's entry is src/index.ts; its folder holds the recipes.
const peersDir = join(dirname(fileURLToPath(import.meta.resolve('@mail/peers'))), '..');

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function runRecipe(script, args, env) {
  const out = execFileSync('bash', [join(peersDir, script), ...args], {
    encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000,
  });
  const vars = {};
  for (const m of out.matchAll(/^export (\w+)='([^']*)'$/gm)) vars[m[1]] = m[2];
  return vars;
}

/** Postfix smtp-sink without dumping (its fastest mode). */
export async function startSmtpSink() {
  const port = await freePort();
  const env = runRecipe('postfix/smtp-sink.sh', ['start'], { SINK_PORT: String(port), SINK_DUMP: '0', SINK_OPTS: '-a' });
  return { host: '127.0.0.1', port, stop: () => runRecipe('postfix/smtp-sink.sh', ['stop', env.SINK_DIR], {}) };
}

/** A minimal SMTP sink of our own (reads and discards), the ceiling for large messages. */
export async function startMinimalSink() {
  const port = await freePort();
  const child = spawn(process.execPath, [join(import.meta.dirname, 'minimal-sink.mjs'), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (c) => reject(new Error(`minimal sink exited ${c}`)));
  });
  return { host: '127.0.0.1', port, stop: () => child.kill() };
}

/** Dovecot POP3 with a Maildir we can fill directly. */
export async function startDovecot() {
  const [p, ps] = [await freePort(), await freePort()];
  const env = runRecipe('dovecot/dovecot-pop3.sh', ['start'], { POP3_PORT: String(p), POP3S_PORT: String(ps) });
  const [uid, gid] = readFileSync(join(env.POP3_DIR, 'mail-owner'), 'utf8').trim().split(':').map(Number);
  const maildir = env.POP3_MAILDIR;
  return {
    host: '127.0.0.1', port: p, tlsPort: ps, user: env.POP3_USER, pass: env.POP3_PASS, ca: env.POP3_CA, maildir,
    /** Replace the mailbox with `count` copies of `message` (written straight into new/). */
    fill(message, count) {
      for (const sub of ['cur', 'new', 'tmp']) {
        for (const f of readdirSync(join(maildir, sub))) rmSync(join(maildir, sub, f), { force: true });
      }
      for (const f of readdirSync(maildir)) if (f.startsWith('dovecot')) rmSync(join(maildir, f), { recursive: true, force: true });
      const base = Date.now();
      for (let i = 0; i < count; i++) {
        const name = `${base}.M${String(i).padStart(7, '0')}P1.bench`;
        writeFileSync(join(maildir, 'tmp', name), message);
        chownSync(join(maildir, 'tmp', name), uid, gid);
        renameSync(join(maildir, 'tmp', name), join(maildir, 'new', name));
      }
    },
    count() { return ['cur', 'new'].reduce((n, sub) => n + readdirSync(join(maildir, sub)).length, 0); },
    stop: () => runRecipe('dovecot/dovecot-pop3.sh', ['stop', env.POP3_DIR], {}),
  };
}

/** Size of a file in bytes. */
export const fileSize = (path) => statSync(path).size;
export { mkdirSync };
