// Public API type tests: the types cannot drift from the README.
import { describe, expectTypeOf, it } from 'vitest';
import type { MailError, SaslMechanism } from '@mail/transport';
import {
  apopDigest,
  POP3,
  POP3AuthenticationError,
  POP3Capabilities,
  POP3Error,
  POP3MailboxInUseError,
  POP3ReplyError,
  type FetchedMessage,
  type ListEntry,
  type POP3ConnectOptions,
  type POP3ResponseCode,
  type POP3State,
  type StatResult,
  type UidlEntry,
} from '../src/index.js';

describe('POP3 API types', () => {
  it('connect', () => {
    expectTypeOf(POP3.connect).parameter(0).toEqualTypeOf<POP3ConnectOptions>();
    expectTypeOf(POP3.connect).returns.resolves.toEqualTypeOf<POP3>();
    expectTypeOf<{ host: string }>().toMatchTypeOf<POP3ConnectOptions>();
    expectTypeOf<POP3ConnectOptions['security']>().toEqualTypeOf<'tls' | 'starttls' | 'none' | undefined>();
    expectTypeOf<POP3ConnectOptions['port']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<POP3ConnectOptions['allowPlaintextAuth']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<POP3ConnectOptions['debug']>().toEqualTypeOf<0 | 1 | 2 | undefined>();
    expectTypeOf<POP3>().toMatchTypeOf<AsyncDisposable>();
  });

  it('session properties', () => {
    expectTypeOf<POP3['greeting']>().toEqualTypeOf<string>();
    expectTypeOf<POP3['capabilities']>().toEqualTypeOf<POP3Capabilities | undefined>();
    expectTypeOf<POP3['state']>().toEqualTypeOf<POP3State>();
    expectTypeOf<POP3State>().toEqualTypeOf<'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE' | 'CLOSED'>();
    expectTypeOf<POP3['secure']>().toEqualTypeOf<boolean>();
  });

  it('verbs', () => {
    const pop = {} as POP3;
    expectTypeOf(pop.user).returns.resolves.toEqualTypeOf<string>();
    expectTypeOf(pop.pass).returns.resolves.toEqualTypeOf<string>();
    expectTypeOf(pop.apop).parameters.toEqualTypeOf<[string, string, ({ signal?: AbortSignal } | undefined)?]>();
    expectTypeOf(pop.auth).parameter(0).toEqualTypeOf<string | SaslMechanism>();
    expectTypeOf(pop.login).returns.resolves.toEqualTypeOf<string>();
    expectTypeOf(pop.stat()).resolves.toEqualTypeOf<StatResult>();
    expectTypeOf<StatResult>().toEqualTypeOf<{ readonly count: number; readonly size: number }>();
    expectTypeOf(pop.list()).resolves.toEqualTypeOf<ListEntry[]>();
    expectTypeOf(pop.list(1)).resolves.toEqualTypeOf<ListEntry>();
    expectTypeOf(pop.uidl()).resolves.toEqualTypeOf<UidlEntry[]>();
    expectTypeOf(pop.uidl(1)).resolves.toEqualTypeOf<UidlEntry>();
    expectTypeOf<UidlEntry>().toEqualTypeOf<{ readonly msg: number; readonly uid: string }>();
    expectTypeOf(pop.retr(1)).resolves.toEqualTypeOf<Buffer>();
    expectTypeOf(pop.retrStream(1)).toEqualTypeOf<AsyncIterable<Buffer>>();
    expectTypeOf(pop.top(1, 10)).resolves.toEqualTypeOf<Buffer>();
    expectTypeOf(pop.dele(1)).resolves.toEqualTypeOf<string>();
    expectTypeOf(pop.noop()).resolves.toEqualTypeOf<string>();
    expectTypeOf(pop.rset()).resolves.toEqualTypeOf<string>();
    expectTypeOf(pop.capa()).resolves.toEqualTypeOf<POP3Capabilities | undefined>();
    expectTypeOf(pop.stls()).resolves.toEqualTypeOf<void>();
    expectTypeOf(pop.utf8()).resolves.toEqualTypeOf<string>();
    expectTypeOf(pop.quit()).resolves.toEqualTypeOf<string>();
    expectTypeOf(pop.close()).resolves.toEqualTypeOf<void>();
    expectTypeOf(pop.messages({ from: 1, to: 5, delete: true, uids: true })).toEqualTypeOf<AsyncIterable<FetchedMessage>>();
    expectTypeOf(pop.retrMany([1, 2], { delete: false, window: 16 })).toEqualTypeOf<AsyncIterable<FetchedMessage>>();
    expectTypeOf<FetchedMessage['data']>().toEqualTypeOf<Buffer>();
    expectTypeOf<FetchedMessage['uid']>().toEqualTypeOf<string | undefined>();
    // Every verb takes { signal }.
    expectTypeOf(pop.stat).parameter(0).toEqualTypeOf<{ signal?: AbortSignal } | undefined>();
    expectTypeOf(pop.retr).parameter(1).toEqualTypeOf<{ signal?: AbortSignal } | undefined>();
  });

  it('errors', () => {
    expectTypeOf<POP3ReplyError>().toMatchTypeOf<POP3Error>();
    expectTypeOf<POP3Error>().toMatchTypeOf<MailError>();
    expectTypeOf<POP3AuthenticationError>().toMatchTypeOf<POP3ReplyError>();
    expectTypeOf<POP3MailboxInUseError>().toMatchTypeOf<POP3ReplyError>();
    expectTypeOf<POP3ReplyError['responseCode']>().toEqualTypeOf<POP3ResponseCode | undefined>();
    expectTypeOf<POP3ReplyError['command']>().toEqualTypeOf<string>();
    expectTypeOf<POP3ReplyError['transient']>().toEqualTypeOf<boolean>();
    expectTypeOf(POP3ReplyError.is).guards.toEqualTypeOf<POP3ReplyError>();
    expectTypeOf(POP3MailboxInUseError.is).guards.toEqualTypeOf<POP3MailboxInUseError>();
    expectTypeOf<'IN-USE'>().toMatchTypeOf<POP3ResponseCode>();
  });

  it('helpers', () => {
    expectTypeOf(apopDigest).toEqualTypeOf<(timestamp: string, secret: string) => string>();
    expectTypeOf<POP3Capabilities['sasl']>().toEqualTypeOf<string[]>();
    expectTypeOf<POP3Capabilities['pipelining']>().toEqualTypeOf<boolean>();
  });
});
