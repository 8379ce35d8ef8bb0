// The shell recipes (tooling/peers/*/*.sh) this package wraps: where each lives, which port
// variables it takes, which exports describe it, and what it needs installed.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The real servers a test can start. */
export type PeerName = 'dovecot' | 'postfix' | 'smtp-sink' | 'aiosmtpd';

/** Every peer name, for iteration. */
export const PEER_NAMES: readonly PeerName[] = ['dovecot', 'postfix', 'smtp-sink', 'aiosmtpd'];

/** Logical ports a peer can expose. */
export type PortName = 'smtp' | 'smtps' | 'pop3' | 'pop3s' | 'lmtp';

/** How to drive one shell recipe. */
export interface Recipe {
  /** Absolute path of the recipe script. */
  readonly script: string;
  /** Env variable the recipe reads for each port it listens on. */
  readonly portEnv: Readonly<Partial<Record<PortName, string>>>;
  /** Exports naming the directory, daemon PID and host. */
  readonly dirVar: string;
  readonly pidVars: readonly string[];
  readonly hostVar: string;
  readonly caVar?: string;
  readonly userVar?: string;
  readonly passVar?: string;
  /** Why the peer cannot run here, or undefined when it can. */
  missing(): string | undefined;
}

const here = (rel: string): string => fileURLToPath(new URL(`../${rel}`, import.meta.url));

const isRoot = (): boolean => process.getuid?.() === 0;
const hasBin = (...paths: string[]): boolean => paths.some((p) => existsSync(p));

function needs(checks: readonly [boolean, string][]): string | undefined {
  const missing = checks.filter(([ok]) => !ok).map(([, what]) => what);
  return missing.length ? missing.join('; ') : undefined;
}

const dovecotMissing = (): string | undefined => needs([
  [hasBin('/usr/sbin/dovecot', '/usr/bin/dovecot'), 'dovecot not installed (apt-get install -y dovecot-core)'],
  [hasBin('/usr/lib/dovecot/pop3'), 'Dovecot POP3 not installed (apt-get install -y dovecot-pop3d)'],
  [hasBin('/usr/bin/openssl'), 'openssl not installed'],
]);

/** Whether Dovecot's LMTP server is installed (then the Dovecot recipe also listens on LMTP). */
export const lmtpInstalled = (): boolean => hasBin('/usr/lib/dovecot/lmtp');

let aiosmtpdChecked: boolean | undefined;

/** The recipe of each peer. */
export const RECIPES: Readonly<Record<PeerName, Recipe>> = {
  dovecot: {
    script: here('dovecot/dovecot-pop3.sh'),
    portEnv: { pop3: 'POP3_PORT', pop3s: 'POP3S_PORT', lmtp: 'LMTP_PORT' },
    dirVar: 'POP3_DIR', pidVars: ['POP3_PID'], hostVar: 'POP3_HOST', caVar: 'POP3_CA',
    userVar: 'POP3_USER', passVar: 'POP3_PASS',
    missing: dovecotMissing,
  },
  postfix: {
    script: here('postfix/postfix-instance.sh'),
    portEnv: { smtp: 'PF_SMTP_PORT', smtps: 'PF_SMTPS_PORT', pop3: 'POP3_PORT', pop3s: 'POP3S_PORT', lmtp: 'LMTP_PORT' },
    dirVar: 'PF_DIR', pidVars: ['PF_PID', 'POP3_PID'], hostVar: 'PF_HOST', caVar: 'PF_CA',
    userVar: 'POP3_USER', passVar: 'POP3_PASS',
    missing: () => needs([
      [isRoot(), 'Postfix instances need root'],
      [hasBin('/usr/lib/postfix/sbin/master'), 'postfix not installed (apt-get install -y postfix)'],
      [dovecotMissing() === undefined, `Dovecot (AUTH and delivery): ${dovecotMissing() ?? ''}`],
    ]),
  },
  'smtp-sink': {
    script: here('postfix/smtp-sink.sh'),
    portEnv: { smtp: 'SINK_PORT' },
    dirVar: 'SINK_DIR', pidVars: ['SINK_PID'], hostVar: 'SINK_HOST',
    missing: () => needs([[hasBin('/usr/sbin/smtp-sink', '/usr/bin/smtp-sink'), 'smtp-sink not installed (apt-get install -y postfix)']]),
  },
  aiosmtpd: {
    script: here('aiosmtpd/aiosmtpd.sh'),
    portEnv: { smtp: 'SMTP_PORT', smtps: 'SMTPS_PORT' },
    dirVar: 'SMTP_DIR', pidVars: ['SMTP_PID'], hostVar: 'SMTP_HOST', caVar: 'SMTP_CA',
    userVar: 'SMTP_USER', passVar: 'SMTP_PASS',
    missing: () => {
      // Debian's python (pyenv's python3 on PATH has no aiosmtpd), checked once per process.
      aiosmtpdChecked ??= spawnSync('/usr/bin/python3', ['-c', 'import aiosmtpd'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
      return aiosmtpdChecked ? undefined : 'python3-aiosmtpd not installed for /usr/bin/python3 (apt-get install -y python3-aiosmtpd)';
    },
  },
};
