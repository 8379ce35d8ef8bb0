// The sans-I/O rule (eslint.config.js): files under packages/*/src/protocol/ may not import
// Node built-ins or @mail/transport. Proven on in-memory files, through ESLint's Node API.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
// The repo's own config, with only the rule under test running; the in-memory files are not
// part of any tsconfig, so type information (needed only by other rules) is switched off.
const eslint = new ESLint({
  cwd: root,
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
});

async function restrictedImports(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  expect(result!.messages.filter((m) => m.fatal)).toEqual([]);
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const VIOLATION = [
  "import { Socket } from 'node:net';",
  "import { createHash } from 'crypto';",
  "import { MailError } from '@mail/transport';",
  "export const x = [Socket, createHash, MailError];",
  '',
].join('\n');

describe('protocol/ import rule', () => {
  it('fires on Node built-ins and @mail/transport in packages/*/src/protocol/', async () => {
    const messages = await restrictedImports(VIOLATION, 'packages/smtp/src/protocol/__violation.ts');
    expect(messages).toHaveLength(3);
    expect(messages[0]).toContain("'node:net' import is restricted");
    expect(messages[1]).toContain("'crypto' import is restricted");
    expect(messages[2]).toContain("'@mail/transport' import is restricted");
    expect(await restrictedImports(VIOLATION, 'packages/pop3/src/protocol/deep/__violation.ts')).toHaveLength(3);
  }, 60_000);

  it('stays quiet on a clean protocol file and outside protocol/', async () => {
    const clean = "import { other } from './other.js';\nexport const y = Buffer.from(String(other));\n";
    expect(await restrictedImports(clean, 'packages/smtp/src/protocol/__clean.ts')).toEqual([]);
    expect(await restrictedImports(VIOLATION, 'packages/smtp/src/__outside.ts')).toEqual([]);
  }, 60_000);
});
