// `node --conditions=@mail/source --import ./ts-register.mjs entry.ts`: runs the workspace's
// TypeScript sources in a child process (Node 20 cannot strip types), so that the crash
// matrix SIGKILLs the live `mailctl` source, not a possibly stale build.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
