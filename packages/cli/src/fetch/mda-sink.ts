/**
 * MDA sink: each message is piped into a shell command (procmail, maildrop, dovecot-lda).
 * The MDA's exit status 0 means delivered; delivery is at least once (an MDA cannot be asked
 * afterwards whether a delivery happened).
 */
import { spawn } from 'node:child_process';
import { CliError } from '../errors.js';
import { EX } from '../exit-codes.js';
import type { Sink, SinkBatch } from './sink.js';

/** Runs `command` with `message` on stdin; rejects unless it exits 0. */
export function runMda(command: string, message: Buffer, env: Record<string, string | undefined>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ['pipe', 'ignore', 'pipe'], env: env });
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new CliError(EX.IOERR, `MDA "${command}" failed to start: ${e.message}`)));
    child.stdin.on('error', () => undefined); // EPIPE when the MDA exits early; its status tells.
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const why = Buffer.concat(err).toString('utf8').trim().split('\n')[0] ?? '';
      // An MDA that says EX_TEMPFAIL (75) means "try later", like sendmail's local delivery.
      const exit = code === EX.TEMPFAIL ? EX.TEMPFAIL : EX.IOERR;
      reject(new CliError(exit, `MDA "${command}" exited with status ${code ?? 'signal'}${why ? `: ${why}` : ''}`));
    });
    child.stdin.end(message);
  });
}

/** A sink that delivers each message to an MDA command as it arrives. */
export function openMdaSink(command: string, env: Record<string, string | undefined>): Sink {
  return {
    description: `MDA ${command}`,
    verifiable: false,
    begin(): SinkBatch {
      return {
        add: (message) => runMda(command, message, env),
        pending: async () => undefined,
        commit: async () => undefined,
        abort: async () => undefined,
      };
    },
    recover: async () => [],
    close: async () => undefined,
  };
}
