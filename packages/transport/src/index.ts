export * from './errors.js';
export type * from './types.js';
export { Connection, connect, type WriteOptions, type TLSInfo, type ServerTLSContext, type FromSocketOptions } from './connection.js';
export type { DotBodyOptions, DotBytesOptions } from './dot-read.js';
export { DEFAULT_TIMEOUTS, DEFAULT_MAX_RESPONSE_SIZE, resolveTimeouts, type ResolvedOptions } from './options.js';
export { LineFramer, DEFAULT_MAX_LINE_LENGTH } from './line-framer.js';
export { TRACE_CHANNEL, REDACTED, redactLine, escapeForTerminal, type EscapeOptions } from './trace.js';
export { channelBindingOf, type ChannelBindingType } from './channel-binding.js';
export { spkiSha256 } from './tls-client.js';
export * from './dot-stuffing.js';
export * from './sasl/index.js';
/** Server halves: the socket layer of one accepted connection (see `server/channel.ts`). */
export { ServerChannel } from './server/channel.js';
export { ChannelError } from './server/channel-error.js';
export type { InputLine } from './server/input-buffer.js';
/** Server halves: the TLS handshake of an accepted socket (implicit TLS and STARTTLS/STLS). */
export { serverHandshake } from './server/handshake.js';
/** Server halves: listening socket, connection limit and graceful close. */
export { ServerListener, type ListenOptions, type ListenedSession, type ListenerConfig, type ListenerSpec } from './server/listener.js';
/** Server halves: base64 SASL response decoding (`=` is empty). */
export { decodeSaslResponse } from './server/sasl-response.js';
/** Server halves: deadlines on calls into user code (hooks, mailbox back-ends). */
export { TIMED_OUT, HookTimeoutError, MAX_TIMER_DELAY, hasDeadline, runWithTimeout } from './server/hook-timeout.js';
