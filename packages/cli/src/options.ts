/**
 * Options shared by every command (see `addCommonOptions` in main.ts).
 */
import type { Security } from '@mail/transport';

/** Parsed common options. */
export interface CommonOptions {
  config?: string;
  account?: string;
  server?: string;
  user?: string;
  passwordEnv?: string;
  security?: Security;
  ca?: string;
  pin?: string[];
  /** 0 none, 1 commands and replies, 2 everything with timestamps. */
  debug?: number;
  json?: boolean;
  quiet?: boolean;
  /** Seconds. */
  timeout?: number;
  /** Allows AUTH/USER/PASS over a connection without TLS (needs --security none too). */
  allowPlaintextAuth?: boolean;
}
