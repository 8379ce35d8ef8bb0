/**
 * `mailctl serve`: the dev mail server (SMTP with STARTTLS in, a Maildir per recipient,
 * POP3 with STLS out) until Ctrl-C or SIGTERM.
 */
import { resolve } from 'node:path';
import { parseHostPort } from '../config/url.js';
import type { CommandContext } from '../context.js';
import { usageError } from '../errors.js';
import { EX } from '../exit-codes.js';
import { escapeText } from '../output/escape.js';

interface ServeOptions {
  data: string;
  smtp: string;
  pop3: string;
  user?: string[];
  debug?: string | boolean;
}

/** Parses `NAME:PASSWORD`. */
export function parseUser(text: string): { name: string; password: string } {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw usageError(`--user expects NAME:PASSWORD, got "${text.replace(/:.*/, ':…')}"`);
  return { name: text.slice(0, colon), password: text.slice(colon + 1) };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Runs `mailctl serve`. */
export async function run(ctx: CommandContext): Promise<number> {
  const { io, printer } = ctx;
  const o = ctx.opts as unknown as ServeOptions & { json?: boolean; quiet?: boolean };
  const smtp = parseHostPort(o.smtp);
  const pop3 = parseHostPort(o.pop3);
  const users = (o.user ?? ['dev:dev']).map(parseUser);
  for (const hp of [smtp, pop3]) {
    if (!LOOPBACK.has(hp.host)) printer.warn(`warning: listening on ${hp.host}, not loopback: other machines can reach this dev server`);
  }
  const { startDevServer } = await import('../devserver/index.js');
  const server = await startDevServer({
    dataDir: resolve(io.cwd, o.data),
    smtp,
    pop3,
    users,
    debug: o.debug !== undefined && o.debug !== false && o.debug !== '0',
    logger: (line) => {
      if (!o.quiet) io.stderr.write(`${escapeText(line)}\n`);
    },
  });
  const info = {
    smtp: `${smtp.host}:${server.smtpPort}`,
    pop3: `${pop3.host}:${server.pop3Port}`,
    fingerprint: server.fingerprint,
    certificate: server.certPath,
    maildirs: server.mailDir,
    users: users.map((u) => u.name),
  };
  if (o.json) io.stdout.write(`${JSON.stringify(info)}\n`);
  else if (!o.quiet) {
    printer.line(`SMTP  ${info.smtp} (STARTTLS)`);
    printer.line(`POP3  ${info.pop3} (STLS)`);
    printer.line(`TLS certificate ${info.certificate}`);
    printer.line(`SHA-256 fingerprint ${info.fingerprint}`);
    printer.line(`Maildirs under ${info.maildirs}; users: ${info.users.join(', ')}`);
    printer.line('Ctrl-C stops the server.');
  }
  await new Promise<void>((resolveStop) => {
    if (!io.signal) return; // Without a stop signal, serve runs until the process is killed.
    if (io.signal.aborted) return resolveStop();
    io.signal.addEventListener('abort', () => resolveStop(), { once: true });
  });
  await server.close();
  printer.info('stopped');
  return EX.OK;
}
