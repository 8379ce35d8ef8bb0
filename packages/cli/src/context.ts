/**
 * What every command implementation receives.
 */
import type { CliIO } from './io.js';
import type { CommonOptions } from './options.js';
import type { Printer } from './output/printer.js';

/** The run context of one command. */
export interface CommandContext {
  io: CliIO;
  opts: CommonOptions;
  printer: Printer;
}
