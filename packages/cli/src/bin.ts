#!/usr/bin/env node
/**
 * The `mailctl` executable (also usable as `sendmail` through a symlink).
 */
import { basename } from 'node:path';
import { main } from './main.js';
import { processIO } from './io.js';

// `serve` stops cleanly on the first Ctrl-C/SIGTERM (closes listeners, finishes sessions);
// every other command just exits: fetch is safe against being killed at any point.
const graceful = process.argv[2] === 'serve';
const controller = new AbortController();
const stop = (signal: NodeJS.Signals): void => {
  if (!graceful || controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
  controller.abort(new Error(`stopped by ${signal}`));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const argv0 = basename(process.argv[1] ?? 'mailctl').replace(/\.js$/, '');
const code = await main(process.argv.slice(2), processIO(controller.signal), { argv0 });
process.exitCode = code;
