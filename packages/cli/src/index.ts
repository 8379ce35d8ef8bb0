/**
 * @mail/cli: the `mailctl` command as a library, for embedding and in-process tests.
 */
export { main, type MainOptions } from './main.js';
export { type CliIO, type OutStream, processIO } from './io.js';
export { EX, EXIT_CODE_HELP, type ExitCode } from './exit-codes.js';
export { VERSION } from './version.js';
