/**
 * LANG (RFC 6856 §4): the languages of response texts.
 */
import { assertSafeArgument } from '@mail/transport';
import type { Core } from './core.js';
import type { CallOptions } from './options.js';

/** One language the server offers: an RFC 5646 tag and its description. */
export interface LanguageEntry {
  readonly tag: string;
  readonly description: string;
}

/** `LANG` lists the languages; `LANG tag` selects one and returns the server's text. */
export async function lang(
  core: Core,
  tagOrOptions: string | CallOptions | undefined,
  options: CallOptions,
): Promise<LanguageEntry[] | string> {
  if (typeof tagOrOptions === 'string') {
    assertSafeArgument(tagOrOptions, 'LANG tag');
    return (await core.command(`LANG ${tagOrOptions}`, options)).text;
  }
  const signal = (tagOrOptions ?? options).signal;
  return core.queue.run(async () => {
    await core.exchange('LANG', { signal });
    const lines = await core.conn.readDotLines({ signal, phase: 'command' });
    return lines.map((line) => {
      const space = line.indexOf(' ');
      return space === -1 ? { tag: line, description: '' } : { tag: line.slice(0, space), description: line.slice(space + 1) };
    });
  }, signal);
}
