/**
 * `mailctl demo`: the dev server in-process on free loopback ports, one message sent by
 * SMTP (STARTTLS, AUTH) and fetched back by POP3 (STLS, SASL), with the protocol
 * conversation (secrets redacted by the transport) and the message shown.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTP } from '@mail/smtp';
import { POP3 } from '@mail/pop3';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { EX } from '../exit-codes.js';
import { compose } from '../compose/compose.js';
import { escapeLines, escapeText } from '../output/escape.js';

/** Runs `mailctl demo`. */
export async function run(ctx: CommandContext): Promise<number> {
  const { printer } = ctx;
  const c = printer.color;
  const e = printer.colorErr;
  const dataDir = await mkdtemp(join(tmpdir(), 'mailctl-demo-'));
  const user = 'demo';
  const password = randomBytes(12).toString('base64url');
  const trace: string[] = [];
  const show = (line: string): void => {
    trace.push(line);
    printer.info(e.dim(line));
  };
  const { startDevServer } = await import('../devserver/index.js');
  const server = await startDevServer({
    dataDir,
    smtp: { host: '127.0.0.1', port: 0 },
    pop3: { host: '127.0.0.1', port: 0 },
    users: [{ name: user, password }],
    requireAuth: true,
  });
  try {
    printer.info(e.bold(`dev server: SMTP 127.0.0.1:${server.smtpPort}, POP3 127.0.0.1:${server.pop3Port}, certificate SHA-256 ${server.fingerprint}`));
    const common = { host: 'localhost', security: 'starttls' as const, tls: { ca: server.caPem }, debug: 1 as const, logger: show, timeout: 15_000 };
    const composed = await compose({
      from: `${user}@localhost`,
      to: [`${user}@localhost`],
      cc: [],
      bcc: [],
      subject: 'Hello from mailctl demo',
      text: 'This message went out by SMTP (STARTTLS + AUTH) and came back by POP3 (STLS + SASL).\n',
      attachments: [],
      headers: [],
    });

    printer.info(e.bold('\n== SMTP: send =='));
    const smtp = await SMTP.connect({ ...common, port: server.smtpPort, localName: 'mailctl-demo', auth: { username: user, password } });
    let sent;
    try {
      sent = await smtp.sendMail({ from: composed.envelope.from, to: composed.envelope.to, message: composed.message });
      await smtp.quit();
    } finally {
      await smtp.close().catch(() => undefined);
    }

    printer.info(e.bold('\n== POP3: fetch =='));
    const pop = await POP3.connect({ ...common, port: server.pop3Port });
    let fetched: Buffer;
    try {
      await pop.login(user, password);
      const list = await pop.list();
      const last = list.at(-1);
      if (!last) throw new CliError(EX.SOFTWARE, 'demo: the message did not arrive in the POP3 mailbox');
      fetched = await pop.retr(last.msg);
      await pop.dele(last.msg);
      await pop.quit();
    } finally {
      await pop.close().catch(() => undefined);
    }
    const arrived = fetched.toString('utf8').includes(composed.messageId);
    if (!arrived) throw new CliError(EX.SOFTWARE, 'demo: the fetched message is not the one sent');
    if (trace.some((l) => l.includes(password))) throw new CliError(EX.SOFTWARE, 'demo: a password reached the trace');

    printer.result({
      ok: true,
      smtpPort: server.smtpPort,
      pop3Port: server.pop3Port,
      fingerprint: server.fingerprint,
      messageId: composed.messageId,
      accepted: sent.accepted.map((a) => a.address),
      response: sent.response,
      trace,
      message: fetched.toString('utf8'),
    });
    printer.line(c.bold('\n== The message as fetched =='));
    printer.line(escapeLines(fetched.toString('utf8')));
    printer.line(c.green(escapeText(`OK: sent to ${sent.accepted.map((a) => a.address).join(', ')} and fetched back (${composed.messageId}).`)));
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  return EX.OK;
}
