/**
 * The process boundary of the CLI, injectable so tests run `main()` in-process.
 */
import type { Readable } from 'node:stream';

/** A writable text/byte sink with the TTY facts the output layer needs. */
export interface OutStream {
  write(chunk: string | Uint8Array): boolean;
  isTTY?: boolean;
  columns?: number;
}

/** Everything the CLI reads from or writes to its process. */
export interface CliIO {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborted on SIGINT/SIGTERM by the bin; tests abort it to stop `serve`. */
  signal?: AbortSignal;
}

/** The real process as a {@link CliIO}. */
export function processIO(signal?: AbortSignal): CliIO {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    ...(signal ? { signal } : {}),
  };
}

/** Reads a whole stream into one Buffer (stdin for `--message -` and sendmail mode). */
export async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
