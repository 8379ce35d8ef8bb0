// The benchmark scenarios of issue 8: each names its server, its items and, per client, the
// command that does the work. Ours is always first; the others are interleaved with it.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = import.meta.dirname;
const py = '/usr/bin/python3';
const node = process.execPath;
const cliBin = join(dirname(fileURLToPath(import.meta.resolve('@mail/cli'))), 'bin.js');
const client = (f) => join(here, 'clients', f);

function curlSmtpConfig(dir, host, port, file, count) {
  const block = `url = "smtp://${host}:${port}"\nmail-from = "sender@example.test"\nmail-rcpt = "rcpt@example.test"\nupload-file = "${file}"\n`;
  const path = join(dir, `curl-smtp-${port}-${count}.cfg`);
  writeFileSync(path, Array.from({ length: count }, () => block).join('next\n'));
  return path;
}

function curlPop3Config(dir, pop, count) {
  const block = (i) => `url = "pop3://${pop.host}:${pop.port}/${i}"\nuser = "${pop.user}:${pop.pass}"\noutput = "/dev/null"\n`;
  const path = join(dir, `curl-pop3-${count}.cfg`);
  writeFileSync(path, Array.from({ length: count }, (_, i) => block(i + 1)).join('next\n'));
  return path;
}

function mpopConfig(dir, pop, delivery, keep) {
  const path = join(dir, `mpoprc-${delivery.replace(/\W/g, '')}`);
  writeFileSync(path, [
    'account default', `host ${pop.host}`, `port ${pop.port}`, 'tls off', 'auth user',
    `user ${pop.user}`, `password ${pop.pass}`, `delivery ${delivery}`, `keep ${keep ? 'on' : 'off'}`,
    'only_new off', `uidls_file ${join(dir, 'mpop-uidls')}`, '',
  ].join('\n'), { mode: 0o600 });
  return path;
}

function fetchmailConfig(dir, pop, maildir) {
  const path = join(dir, 'fetchmailrc');
  // fetchmail has no Maildir writer of its own: an MDA per message is its documented way.
  writeFileSync(path, `poll ${pop.host} service ${pop.port} protocol pop3 auth password user "${pop.user}" password "${pop.pass}" sslproto '' no keep fetchall mda "/bin/sh -c 'cat > ${maildir}/new/$(date +%s%N).fm'"\n`, { mode: 0o600 });
  return path;
}

/**
 * @param {{ quick: boolean, dir: string, files: Record<string,string>, sizes: Record<string, number>,
 *   sink: {host,port}, minimal: {host,port}, pop: object }} ctx
 */
export function scenarios(ctx) {
  const { sink, minimal, pop, files, sizes, dir } = ctx;
  const N = sizes.count;
  const msgs = (clients) => clients;
  return [
    {
      id: 'smtp-small-1', title: `SMTP, ${N} × 2 KB, one connection to smtp-sink`, unit: 'msg/s', items: N,
      clients: msgs({
        ours: [node, client('ours-smtp.mjs'), sink.host, sink.port, files.small, N, 1],
        'smtp-source': ['/usr/sbin/smtp-source', '-s', '1', '-m', N, '-l', '2048', '-d', '-f', 'sender@example.test', '-t', 'rcpt@example.test', `${sink.host}:${sink.port}`],
        nodemailer: [node, client('nodemailer-smtp.mjs'), sink.host, sink.port, files.small, N, 1],
        curl: ['curl', '-s', '-K', curlSmtpConfig(dir, sink.host, sink.port, files.small, N)],
        smtplib: [py, client('smtplib-smtp.py'), sink.host, sink.port, files.small, N],
      }),
    },
    {
      id: 'smtp-small-4', title: `SMTP, ${N} × 2 KB, 4 connections to smtp-sink`, unit: 'msg/s', items: N,
      clients: {
        ours: [node, client('ours-smtp.mjs'), sink.host, sink.port, files.small, N, 4],
        'smtp-source -s 4': ['/usr/sbin/smtp-source', '-s', '4', '-m', N, '-l', '2048', '-d', '-f', 'sender@example.test', '-t', 'rcpt@example.test', `${sink.host}:${sink.port}`],
        'nodemailer pool 4': [node, client('nodemailer-smtp.mjs'), sink.host, sink.port, files.small, N, 4],
      },
    },
    {
      id: 'smtp-large', title: `SMTP, one ${sizes.largeMiB} MiB message to smtp-sink`, unit: 'MB/s', bytes: sizes.large, items: 1,
      clients: {
        ours: [node, client('ours-smtp.mjs'), sink.host, sink.port, files.large, 1, 1],
        curl: ['curl', '-s', '-K', curlSmtpConfig(dir, sink.host, sink.port, files.large, 1)],
        nodemailer: [node, client('nodemailer-smtp.mjs'), sink.host, sink.port, files.large, 1, 1],
        smtplib: [py, client('smtplib-smtp.py'), sink.host, sink.port, files.large, 1],
      },
    },
    {
      id: 'smtp-large-minimal', title: `SMTP, one ${sizes.largeMiB} MiB message to a minimal sink`, unit: 'MB/s', bytes: sizes.large, items: 1,
      clients: {
        ours: [node, client('ours-smtp.mjs'), minimal.host, minimal.port, files.large, 1, 1],
        curl: ['curl', '-s', '-K', curlSmtpConfig(dir, minimal.host, minimal.port, files.large, 1)],
      },
    },
    {
      id: 'pop3-small', title: `POP3, ${N} × 10 KB from Dovecot`, unit: 'msg/s', items: N,
      before: () => pop.fillIfNeeded('small', N),
      clients: {
        ours: [node, client('ours-pop3.mjs'), pop.host, pop.port, pop.user, pop.pass],
        curl: ['curl', '-s', '-K', curlPop3Config(dir, pop, N)],
        'node-pop3': [node, client('node-pop3.mjs'), pop.host, pop.port, pop.user, pop.pass],
        poplib: [py, client('poplib-pop3.py'), pop.host, pop.port, pop.user, pop.pass],
        'mpop (mbox)': ['mpop', '-C', mpopConfig(dir, pop, `mbox ${join(dir, 'mpop.mbox')}`, true), '-q'],
      },
    },
    {
      id: 'pop3-large', title: `POP3, one ${sizes.largeMiB} MiB message from Dovecot`, unit: 'MB/s', bytes: sizes.large, items: 1,
      before: () => pop.fillIfNeeded('large', 1),
      clients: {
        ours: [node, client('ours-pop3.mjs'), pop.host, pop.port, pop.user, pop.pass, 'stream'],
        curl: ['curl', '-s', '-o', '/dev/null', '-u', `${pop.user}:${pop.pass}`, `pop3://${pop.host}:${pop.port}/1`],
        'mpop (mbox)': ['mpop', '-C', mpopConfig(dir, pop, `mbox ${join(dir, 'mpop-large.mbox')}`, true), '-q'],
        poplib: [py, client('poplib-pop3.py'), pop.host, pop.port, pop.user, pop.pass],
        'node-pop3': [node, client('node-pop3.mjs'), pop.host, pop.port, pop.user, pop.pass],
      },
    },
    {
      id: 'fetch-delete', title: `Fetch ${N} × 10 KB into a Maildir with delete (durable)`, unit: 'msg/s', items: N,
      beforeEach: (name) => { pop.fill('small', N); return ctx.freshMaildir(name); },
      clients: {
        ours: (md) => [node, cliBin, 'fetch', '--server', `pop3://${pop.user}@${pop.host}:${pop.port}`, '--security', 'none', '--allow-plaintext-auth', '--password-env', 'BENCH_POP3_PASS', '--maildir', md, '--delete', '--quiet'],
        mpop: (md) => ['mpop', '-C', mpopConfig(dir, pop, `maildir ${md}`, false), '-q'],
        fetchmail: (md) => ['fetchmail', '-f', fetchmailConfig(dir, pop, md), '--pidfile', join(dir, 'fetchmail.pid'), '-s'],
      },
      env: { BENCH_POP3_PASS: pop.pass, FETCHMAILHOME: dir },
      // Honesty check: a client that "finishes" without storing every message is an error.
      verify: (md) => { const n = ctx.countMaildir(md); if (n !== N) throw new Error(`stored ${n} of ${N} messages`); },
    },
    {
      id: 'startup', title: '`mailctl --version` start-up', unit: 'runs/s', items: 1, wall: true,
      clients: { ours: [node, cliBin, '--version'], 'node -e 0': [node, '-e', '0'] },
    },
  ];
}
