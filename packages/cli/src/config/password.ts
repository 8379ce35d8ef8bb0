/**
 * Password sources, in order: `--password-env VAR`, the account's `password_command`,
 * its `password_env`, ~/.netrc, and a prompt when stdin and stderr are a terminal.
 * A password is never taken from the command line.
 */
import { spawn } from 'node:child_process';
import { CliError } from '../errors.js';
import { EX } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import type { CommonOptions } from '../options.js';
import type { Target } from './account.js';
import { netrcLookup } from './netrc.js';

/** Credentials for a login. */
export interface Credentials {
  user: string;
  password: string;
}

/** Runs `password_command` through the shell and returns its first output line. */
export async function runPasswordCommand(command: string, env: CliIO['env'], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'], env: env, timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new CliError(EX.CONFIG, `password_command failed to start: ${e.message}`)));
    child.on('close', (code) => {
      if (code !== 0) {
        // Its stderr may be useful ("gpg: decryption failed"); its stdout never is shown.
        const why = Buffer.concat(err).toString('utf8').trim().split('\n')[0] ?? '';
        reject(new CliError(EX.CONFIG, `password_command exited with status ${code ?? 'signal'}${why ? `: ${why}` : ''}`));
        return;
      }
      const text = Buffer.concat(out).toString('utf8');
      resolve(text.split(/\r?\n/)[0] ?? '');
    });
  });
}

/** Reads a line from a TTY without echo. */
export async function promptHidden(io: CliIO, question: string): Promise<string> {
  const stdin = io.stdin;
  io.stderr.write(question);
  stdin.setRawMode?.(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (chunk: Buffer | string): void => {
        for (const ch of chunk.toString()) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            stdin.off('data', onData);
            resolve(value);
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            reject(new CliError(EX.NOPERM, 'password prompt interrupted'));
            return;
          }
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode?.(false);
    stdin.pause();
    io.stderr.write('\n');
  }
}

/**
 * Finds the credentials for `target`, or undefined when no user is configured (no login).
 * Throws exit 77 when a user is set but no password source yields a password.
 */
export async function findCredentials(io: CliIO, opts: CommonOptions, target: Target): Promise<Credentials | undefined> {
  const user = target.user;
  const account = target.account;
  if (opts.passwordEnv !== undefined) {
    const value = io.env[opts.passwordEnv];
    if (value === undefined) throw new CliError(EX.NOPERM, `--password-env ${opts.passwordEnv}: variable not set`);
    if (user === undefined) throw new CliError(EX.USAGE, '--password-env needs a user: give --user or a user@ in the URL');
    return { user, password: value };
  }
  if (user === undefined && account?.password_command === undefined) {
    const net = await netrcLookup(io.env, target.server.host, undefined);
    if (net?.login !== undefined) return { user: net.login, password: net.password };
    return undefined;
  }
  if (account?.password_command !== undefined) {
    const password = await runPasswordCommand(account.password_command, io.env);
    if (user === undefined) throw new CliError(EX.CONFIG, `account "${account.name}": password_command set but no user`);
    return { user, password };
  }
  if (account?.password_env !== undefined) {
    const value = io.env[account.password_env];
    if (value !== undefined && user !== undefined) return { user, password: value };
  }
  if (user === undefined) return undefined; // unreachable: handled above; keeps the type narrow
  const net = await netrcLookup(io.env, target.server.host, user);
  if (net) return { user, password: net.password };
  if (io.stdin.isTTY === true && io.stderr.isTTY === true) {
    return { user, password: await promptHidden(io, `Password for ${user}@${target.server.host}: `) };
  }
  throw new CliError(
    EX.NOPERM,
    `no password for ${user}@${target.server.host}: set password_command in the config, use --password-env VAR or ~/.netrc`,
  );
}
