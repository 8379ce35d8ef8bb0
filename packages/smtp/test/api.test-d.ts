// Public API type tests: the exported names and signatures the README documents.
import { describe, expectTypeOf, it } from 'vitest';
import type { MailError } from '@mail/transport';
import {
  LMTP, SMTP, SMTPAuthenticationError, SMTPDataError, SMTPError, SMTPHeloError, SMTPMessageError,
  SMTPNotSupportedError, SMTPOutcomeUnknownError, SMTPPool, SMTPRecipientRefusedError, SMTPRecipientsRefusedError,
  SMTPReplyError, SMTPSenderRefusedError, SMTPServerDisconnectedError, protocol,
  type BodyInput, type Capabilities, type LMTPConnectOptions, type Recipient, type RecipientResult, type Reply,
  type SendMailOptions, type SendResult, type SMTPConnectOptions, type SMTPPoolOptions,
} from '../src/index.js';

describe('SMTP', () => {
  it('connects with transport options plus localName and resolves to an SMTP', () => {
    expectTypeOf(SMTP.connect).parameter(0).toEqualTypeOf<SMTPConnectOptions>();
    expectTypeOf(SMTP.connect).returns.resolves.toEqualTypeOf<SMTP>();
    expectTypeOf<SMTPConnectOptions>().toHaveProperty('localName').toEqualTypeOf<string | undefined>();
    expectTypeOf<SMTPConnectOptions['security']>().toEqualTypeOf<'tls' | 'starttls' | 'none' | undefined>();
    expectTypeOf<SMTPConnectOptions>().toHaveProperty('allowPlaintextAuth');
    expectTypeOf<SMTP>().toMatchTypeOf<AsyncDisposable>();
  });

  it('has every verb with smtplib names, each resolving with the parsed reply', () => {
    type Verbs = 'helo' | 'ehlo' | 'starttls' | 'auth' | 'login' | 'mail' | 'rcpt' | 'data' | 'bdat' | 'rset' | 'noop' | 'verify' | 'expn' | 'help' | 'quit' | 'command';
    expectTypeOf<ReturnType<SMTP[Verbs]>>().toEqualTypeOf<Promise<Reply>>();
    expectTypeOf<SMTP['login']>().parameters.toMatchTypeOf<[string, string, { signal?: AbortSignal }?]>();
    expectTypeOf<SMTP['command']>().parameter(0).toEqualTypeOf<string>();
    expectTypeOf<SMTP['data']>().parameter(0).toEqualTypeOf<BodyInput>();
    expectTypeOf<SMTP['noop']>().parameter(0).toEqualTypeOf<{ signal?: AbortSignal } | undefined>();
  });

  it('exposes capabilities, hasExtension and maxSize', () => {
    expectTypeOf<SMTP['capabilities']>().toEqualTypeOf<Capabilities>();
    expectTypeOf<SMTP['hasExtension']>().toEqualTypeOf<(keyword: string) => boolean>();
    expectTypeOf<SMTP['maxSize']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Capabilities['auth']>().toEqualTypeOf<readonly string[]>();
  });

  it('sendMail takes every body source and returns per-recipient results', () => {
    expectTypeOf<SMTP['sendMail']>().parameter(0).toEqualTypeOf<SendMailOptions>();
    expectTypeOf<SMTP['sendMail']>().returns.resolves.toEqualTypeOf<SendResult>();
    expectTypeOf<string>().toMatchTypeOf<BodyInput>();
    expectTypeOf<Uint8Array>().toMatchTypeOf<BodyInput>();
    expectTypeOf<NodeJS.ReadableStream>().toMatchTypeOf<BodyInput>();
    expectTypeOf<ReadableStream<Uint8Array>>().toMatchTypeOf<BodyInput>();
    expectTypeOf<AsyncIterable<string>>().toMatchTypeOf<BodyInput>();
    expectTypeOf<SendMailOptions['to']>().toEqualTypeOf<string | ReadonlyArray<string | Recipient>>();
    expectTypeOf<RecipientResult>().toEqualTypeOf<{ address: string; code: number; enhancedStatus: string | undefined; text: string }>();
    expectTypeOf<SendResult['response']['queueId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<SendResult['timings']>().toEqualTypeOf<{ envelope: number; data: number; total: number }>();
    expectTypeOf<SendResult['bytesSent']>().toEqualTypeOf<number>();
  });
});

describe('LMTP and the pool', () => {
  it('LMTP is an SMTP with a path option', () => {
    expectTypeOf(LMTP.connect).returns.resolves.toEqualTypeOf<LMTP>();
    expectTypeOf<LMTP>().toMatchTypeOf<SMTP>();
    expectTypeOf<LMTPConnectOptions['path']>().toEqualTypeOf<string | undefined>();
  });

  it('SMTPPool sends like a session', () => {
    expectTypeOf<SMTPPool['sendMail']>().returns.resolves.toEqualTypeOf<SendResult>();
    expectTypeOf<SMTPPoolOptions>().toMatchTypeOf<SMTPConnectOptions>();
    expectTypeOf<SMTPPoolOptions['retry']>().toEqualTypeOf<{ attempts?: number; minDelay?: number; maxDelay?: number } | false | undefined>();
  });
});

describe('errors', () => {
  it('mirror smtplib, all MailErrors with a stable code and a brand check', () => {
    expectTypeOf<SMTPError>().toMatchTypeOf<MailError>();
    for (const C of [SMTPSenderRefusedError, SMTPRecipientRefusedError, SMTPDataError, SMTPAuthenticationError, SMTPHeloError]) {
      expectTypeOf(C.prototype).toMatchTypeOf<SMTPReplyError>();
    }
    expectTypeOf<SMTPReplyError['reply']>().toEqualTypeOf<Reply>();
    expectTypeOf<SMTPReplyError['command']>().toEqualTypeOf<string>();
    expectTypeOf<Reply['enhancedStatus']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Reply['lines']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<SMTPRecipientsRefusedError['errors']>().toEqualTypeOf<readonly SMTPRecipientRefusedError[]>();
    expectTypeOf(SMTPOutcomeUnknownError.is).guards.toEqualTypeOf<SMTPOutcomeUnknownError>();
    expectTypeOf<SMTPServerDisconnectedError['reply']>().toEqualTypeOf<Reply | undefined>();
    expectTypeOf<SMTPNotSupportedError>().toMatchTypeOf<SMTPError>();
    expectTypeOf<SMTPMessageError>().toMatchTypeOf<SMTPError>();
  });

  it('exports the pure protocol layer for the server half', () => {
    expectTypeOf(protocol.formatReply).toBeFunction();
    expectTypeOf(protocol.parseEhlo).returns.toEqualTypeOf<Capabilities>();
    expectTypeOf(protocol.encodeXtext).toEqualTypeOf<(value: string) => string>();
    expectTypeOf(protocol.parsePathArgument).returns.toEqualTypeOf<protocol.PathArgument>();
  });
});
