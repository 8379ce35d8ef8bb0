/**
 * One-line, escaped description of an error for stderr. MailError messages quote the server
 * (and never contain secrets); they are escaped here before they reach a terminal.
 */
import { escapeText } from './escape.js';

/** Formats an error as `message [CODE]`, escaped. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const suffix = typeof code === 'string' && !code.startsWith('commander.') ? ` [${code}]` : '';
    return escapeText(`${error.message}${suffix}`);
  }
  return escapeText(String(error));
}
