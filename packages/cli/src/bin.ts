#!/usr/bin/env node
/**
 * The `mailctl` executable (also usable as `sendmail` through a symlink).
 *
 * `mailctl --version` is answered before anything else is loaded: the argument parser and
 * the command modules cost more start-up time than Node itself (issue 8 wants `--version`
 * within 1.5x of `node -e 0`). Everything else goes through `main()`.
 */
import { basename } from 'node:path';
import { VERSION } from './version.js';

const argv0 = basename(process.argv[1] ?? 'mailctl').replace(/\.js$/, '');
const args = process.argv.slice(2);
const asSendmail = /(^|[-_])sendmail$/.test(argv0);

if (!asSendmail && args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // What commander prints for `.version(VERSION, '-V, --version')`, with the same exit code.
  process.stdout.write(`${VERSION}\n`);
} else {
  const [{ main }, { processIO }] = await Promise.all([import('./main.js'), import('./io.js')]);

  // `serve` stops cleanly on the first Ctrl-C/SIGTERM (closes listeners, finishes sessions);
  // every other command just exits: fetch is safe against being killed at any point.
  const graceful = args[0] === 'serve';
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals): void => {
    if (!graceful || controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    controller.abort(new Error(`stopped by ${signal}`));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  process.exitCode = await main(args, processIO(controller.signal), { argv0 });
}
