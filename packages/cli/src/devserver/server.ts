/**
 * `startDevServer()`: an SMTP and a POP3 server over Maildirs in one data directory, for
 * `mailctl serve` and `mailctl demo`. Messages received by SMTP land in the Maildir of the
 * recipient's local part (when that is a configured user) or in `catchall`, and POP3 serves
 * each user's Maildir.
 */
import { join } from 'node:path';
import { createSMTPServer, type SMTPServer } from '@mail/smtp/server';
import { createPOP3Server, type POP3Server } from '@mail/pop3/server';
import { MaildirMailbox } from '@mail/pop3/maildir';
import { ensureCertificate } from './certificate.js';
import { boxFor, MailStore } from './delivery.js';

/** A listening address; port 0 picks a free port. */
export interface HostPort {
  host?: string;
  port?: number;
}

/** Options of {@link startDevServer}. */
export interface DevServerOptions {
  /** Holds `tls/` (certificate) and `mail/<box>/` (Maildirs). Created when missing. */
  dataDir: string;
  /** SMTP with STARTTLS. Default 127.0.0.1:2525. */
  smtp?: HostPort;
  /** POP3 with STLS. Default 127.0.0.1:1110. */
  pop3?: HostPort;
  /** Optional SMTP with implicit TLS (RFC 8314 submissions), off unless given. */
  smtps?: HostPort;
  /** Optional POP3 with implicit TLS, off unless given. */
  pop3s?: HostPort;
  /** Who may log in (POP3 always, SMTP AUTH optionally). Names are matched lower-case. */
  users: ReadonlyArray<{ name: string; password: string }>;
  /** Refuse MAIL until SMTP AUTH succeeds (default false: a local sink accepts anything). */
  requireAuth?: boolean;
  /** Allow logins without TLS (default false). */
  allowInsecureAuth?: boolean;
  /** Log lines (connections, deliveries, errors); plus the protocol when `debug`. */
  logger?: (line: string) => void;
  /** Also log the protocol conversations (secrets redacted). */
  debug?: boolean;
  /** Name in greetings (default `localhost`). */
  hostname?: string;
}

/** A running dev server. */
export interface DevServer {
  smtpPort: number;
  pop3Port: number;
  /** Set when `smtps` was requested. */
  smtpsPort: number | undefined;
  /** Set when `pop3s` was requested. */
  pop3sPort: number | undefined;
  /** SHA-256 fingerprint of the certificate (`AB:CD:…`). */
  fingerprint: string;
  /** The certificate (PEM): trust it to verify the servers. */
  caPem: string;
  /** Path of the certificate file (for `--cacert`, `tls_trust_file`). */
  certPath: string;
  /** Root of the Maildirs (`<dataDir>/mail`). */
  mailDir: string;
  /** Stops the listeners and ends every session; resolves when all is closed. */
  close(): Promise<void>;
}

/** Starts the dev mail server. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const log = options.logger ?? (() => undefined);
  const hostname = options.hostname ?? 'localhost';
  const certificate = await ensureCertificate(join(options.dataDir, 'tls'));
  log(`${certificate.generated ? 'generated' : 'using'} TLS certificate ${certificate.certPath} (SHA-256 ${certificate.fingerprint})`);
  const mailDir = join(options.dataDir, 'mail');
  const store = new MailStore(mailDir);
  const users = options.users.map((u) => ({ name: u.name.toLowerCase(), password: u.password }));
  const names = new Set(users.map((u) => u.name));
  const tls = { key: certificate.key, cert: certificate.cert };

  const smtpOptions = (secure: boolean) => ({
    hostname,
    tls,
    secure,
    auth: { users, required: options.requireAuth ?? false },
    allowInsecureAuth: options.allowInsecureAuth ?? false,
    logger: log,
    debug: options.debug ?? false,
    async onData(message: AsyncIterable<Buffer>, envelope: { rcptTo: Array<{ address: string }>; mailFrom: { address: string } }) {
      const boxes = envelope.rcptTo.map((r) => boxFor(r.address, names));
      const uids = await store.deliver(message, boxes);
      log(`smtp stored from=<${envelope.mailFrom.address}> in ${[...uids].map(([box, uid]) => `${box} (${uid})`).join(', ')}`);
    },
  });
  // One [IN-USE] registry for the STLS and the implicit-TLS POP3 ports.
  const locks = new Set<string>();
  const pop3Options = (secure: boolean) => ({
    locks,
    hostname,
    tls,
    secure,
    auth: { users },
    allowInsecureAuth: options.allowInsecureAuth ?? false,
    logger: log,
    debug: options.debug ?? false,
    openMailbox: async (user: string) => new MaildirMailbox(await store.maildir(user.toLowerCase())),
  });

  const servers: Array<SMTPServer | POP3Server> = [];
  const listen = async (server: SMTPServer | POP3Server, where: HostPort | undefined, defaultPort: number): Promise<number> => {
    servers.push(server);
    const address = await server.listen({ host: where?.host ?? '127.0.0.1', port: where?.port ?? defaultPort });
    return address.port;
  };
  try {
    const smtpPort = await listen(createSMTPServer(smtpOptions(false)), options.smtp, 2525);
    const pop3Port = await listen(createPOP3Server(pop3Options(false)), options.pop3, 1110);
    const smtpsPort = options.smtps ? await listen(createSMTPServer(smtpOptions(true)), options.smtps, 0) : undefined;
    const pop3sPort = options.pop3s ? await listen(createPOP3Server(pop3Options(true)), options.pop3s, 0) : undefined;
    return {
      smtpPort,
      pop3Port,
      smtpsPort,
      pop3sPort,
      fingerprint: certificate.fingerprint,
      caPem: certificate.cert,
      certPath: certificate.certPath,
      mailDir,
      async close() {
        await Promise.all(servers.map((s) => s.close()));
        log('dev server stopped');
      },
    };
  } catch (error) {
    await Promise.allSettled(servers.map((s) => s.close()));
    throw error;
  }
}
