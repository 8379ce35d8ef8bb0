// End to end through the fake server: any content, in any chunking, arrives as its RFC 5321
// normalisation — over DATA (dot-stuffed, unstuffed by the server) and over BDAT.
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAt } from '@mail/test-servers';
import { client, fake, noChunking } from './helpers.js';
import { normalized } from './peers.js';

const runs = Number(process.env.FUZZ_RUNS ?? 40);
// Text made of the characters that matter: line endings, dots, letters, 8-bit.
const content = fc.array(fc.constantFrom('\r', '\n', '\r\n', '.', '..', 'a', 'é', ' '), { maxLength: 60 }).map((parts) => parts.join(''));

describe.each([['DATA', noChunking], ['BDAT', undefined]] as const)('any content over %s', (_via, extensions) => {
  it('arrives normalised, whatever the chunking (property)', async () => {
    const server = await fake(extensions ? { extensions } : {});
    const smtp = await client(server);
    await fc.assert(
      fc.asyncProperty(content, fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), async (text, cuts, asStream) => {
        const bytes = Buffer.from(text, 'utf8');
        const chunks = splitAt(bytes, cuts, { keepEmpty: true });
        const before = server.messages.length;
        await smtp.sendMail({ from: 'a@x.test', to: 'b@y.test', message: asStream ? Readable.from(chunks) : bytes });
        expect(server.messages[before]!.content.toString('latin1')).toBe(normalized(bytes).toString('latin1'));
      }),
      { numRuns: runs },
    );
  });
});
