import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { findCredentials, runPasswordCommand } from './password.js';
import type { Target } from './account.js';
import type { CliIO } from '../io.js';

const target = (over: Partial<Target> = {}): Target => ({
  account: undefined,
  server: { protocol: 'pop3', host: 'mail.example', port: 995, security: 'tls' },
  user: 'me',
  security: 'tls',
  caFile: undefined,
  pins: [],
  timeoutMs: undefined,
  allowPlaintextAuth: false,
  ...over,
});

function ttyIO(input: string): { io: CliIO; err: string[]; raw: boolean[] } {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (m: boolean) => raw.push(m) });
  const raw: boolean[] = [];
  const err: string[] = [];
  setTimeout(() => stdin.write(input), 5);
  return { io: { stdin, stdout: { write: () => true }, stderr: { isTTY: true, write: (s) => err.push(String(s)) > 0 }, env: { HOME: '/nonexistent' }, cwd: '/' }, err, raw };
}

describe('password sources', () => {
  it('prompts on a terminal without echo (raw mode), honouring backspace', async () => {
    const t = ttyIO('sekrx\u007ft\r');
    const creds = await findCredentials(t.io, {}, target());
    expect(creds).toEqual({ user: 'me', password: 'sekrt' });
    expect(t.err.join('')).toBe('Password for me@mail.example: \n');
    expect(t.raw).toEqual([true, false]);
  });

  it('Ctrl-C at the prompt is exit 77', async () => {
    const t = ttyIO('ab\u0003');
    await expect(findCredentials(t.io, {}, target())).rejects.toMatchObject({ exitCode: 77 });
  });

  it('without a terminal and without a source: exit 77 naming the sources', async () => {
    const io: CliIO = { stdin: new PassThrough(), stdout: { write: () => true }, stderr: { write: () => true }, env: { HOME: '/nonexistent' }, cwd: '/' };
    await expect(findCredentials(io, {}, target())).rejects.toThrow(/password_command.*--password-env.*netrc/);
    expect(await findCredentials(io, {}, target({ user: undefined }))).toBeUndefined();
  });

  it('password_command: first line of stdout', async () => {
    expect(await runPasswordCommand("printf 'pw one\\nsecond\\n'", process.env)).toBe('pw one');
  });
});
