/**
 * Where output goes: results on stdout (human lines or one JSON document), diagnostics on
 * stderr. Colours only on a TTY and never with NO_COLOR (https://no-color.org).
 */
import pc from 'picocolors';
import type { CliIO, OutStream } from '../io.js';

/** The colour functions used by the CLI; identity functions when colour is off. */
export type Colors = ReturnType<typeof pc.createColors>;

/** Output helpers bound to one command run. */
export interface Printer {
  readonly json: boolean;
  readonly quiet: boolean;
  /** Colours for stdout lines (off unless stdout is a terminal). */
  readonly color: Colors;
  /** Colours for stderr lines (off unless stderr is a terminal). */
  readonly colorErr: Colors;
  /** Whether stderr is an interactive terminal (progress bars, spinners). */
  readonly interactive: boolean;
  /** A human result line on stdout; suppressed by --json and --quiet. */
  line(text: string): void;
  /** A diagnostic on stderr; suppressed by --quiet and --json. */
  info(text: string): void;
  /** A warning on stderr; suppressed by --quiet only. */
  warn(text: string): void;
  /** An error on stderr; always shown. */
  error(text: string): void;
  /** The JSON result document on stdout (only with --json). */
  result(value: unknown): void;
  /** Whether a JSON result was printed already. */
  readonly printed: boolean;
  /** Raw bytes to stdout (message bodies). */
  raw(bytes: Uint8Array | string): void;
  readonly stderr: OutStream;
}

/** Whether colours should be used on `stream`. */
export function colorEnabled(stream: OutStream, env: CliIO['env']): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** Builds the printer for one run. */
export function createPrinter(io: CliIO, opts: { json?: boolean; quiet?: boolean }): Printer {
  const json = opts.json === true;
  const quiet = opts.quiet === true;
  // Each stream gets colour only if it is a terminal itself: `mailctl probe | less` must not
  // receive escape codes because stderr happens to be a terminal.
  const color = pc.createColors(colorEnabled(io.stdout, io.env));
  const errColor = pc.createColors(colorEnabled(io.stderr, io.env));
  const nl = (s: string): string => (s.endsWith('\n') ? s : `${s}\n`);
  let printed = false;
  return {
    get printed() {
      return printed;
    },
    json,
    quiet,
    color,
    colorErr: errColor,
    interactive: io.stderr.isTTY === true && !json && !quiet && io.env.TERM !== 'dumb',
    line: (text) => {
      if (!json && !quiet) io.stdout.write(nl(text));
    },
    info: (text) => {
      if (!json && !quiet) io.stderr.write(nl(text));
    },
    warn: (text) => {
      if (!quiet) io.stderr.write(nl(errColor.yellow(text)));
    },
    error: (text) => {
      io.stderr.write(nl(errColor.red(text)));
    },
    result: (value) => {
      if (json) io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      printed = true;
    },
    raw: (bytes) => {
      io.stdout.write(bytes);
    },
    stderr: io.stderr,
  };
}
