/**
 * The package version, read from package.json (one directory above both src/ and dist/), so
 * a changeset version bump needs no code change.
 */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The version `mailctl --version` prints. */
export const VERSION: string = readVersion();
