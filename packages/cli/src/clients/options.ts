/**
 * Connection options for the protocol clients, built from a resolved {@link Target}.
 */
import { readFile } from 'node:fs/promises';
import type { DebugLevel, Logger, TLSOptions } from '@mail/transport';
import type { Target } from '../config/account.js';
import { expandPath } from '../config/paths.js';
import { CliError } from '../errors.js';
import { EX } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import type { CommonOptions } from '../options.js';

/** The subset of the clients' connect options that mailctl sets. */
export interface ClientOptions {
  host: string;
  port: number;
  security: Target['security'];
  tls: TLSOptions;
  timeout?: number;
  debug: DebugLevel;
  logger: Logger;
  signal?: AbortSignal;
  allowPlaintextAuth: boolean;
}

/** Reads `--ca FILE`; a missing file is exit 66, unreadable 74. */
export async function readCa(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CliError(code === 'ENOENT' ? EX.NOINPUT : EX.IOERR, `cannot read CA file ${file}: ${(e as Error).message}`);
  }
}

/** The debug logger: trace lines (already redacted and escaped by the transport) to stderr. */
export function debugLogger(io: CliIO): Logger {
  return (line) => {
    io.stderr.write(`${line}\n`);
  };
}

/** Builds the client options for `target`. */
export async function clientOptions(io: CliIO, opts: CommonOptions, target: Target): Promise<ClientOptions> {
  const ca = await readCa(target.caFile === undefined ? undefined : expandPath(target.caFile, io.env, io.cwd));
  const tls: TLSOptions = {};
  if (ca !== undefined) tls.ca = ca;
  if (target.pins.length > 0) tls.pins = target.pins;
  const debug = Math.max(0, Math.min(2, opts.debug ?? 0)) as DebugLevel;
  return {
    host: target.server.host,
    port: target.server.port,
    security: target.security,
    tls,
    ...(target.timeoutMs !== undefined ? { timeout: target.timeoutMs } : {}),
    debug,
    logger: debugLogger(io),
    ...(io.signal ? { signal: io.signal } : {}),
    allowPlaintextAuth: target.allowPlaintextAuth,
  };
}
