/**
 * The read side of a connection: feeds received bytes into a {@link LineFramer}, pauses the
 * socket when too much is buffered (backpressure), and wakes the one reader that waits.
 */
import type { Duplex } from 'node:stream';
import { LineFramer } from './line-framer.js';

/** Events the owner of an {@link Input} reacts to. */
export interface InputEvents {
  /** The first two bytes of the session (for the TLS mode mismatch check). */
  head(head: Buffer): void;
  /** A socket error. */
  error(err: Error): void;
  /** The socket closed (after end, reset or destroy). */
  close(): void;
}

/** Buffered input of one connection. */
export class Input {
  /** Buffered, unread bytes. */
  readonly framer: LineFramer;
  #highWaterMark: number;
  #stream: Duplex | undefined;
  #ended = false;
  #received = 0;
  #head: Buffer | undefined = Buffer.alloc(0);
  #waiter: (() => void) | undefined;
  #events: InputEvents;

  constructor(maxLineLength: number, events: InputEvents) {
    this.framer = new LineFramer(maxLineLength);
    // Pause above this many buffered bytes; always above the line limit, so that a line
    // that is too long is detected rather than waited for.
    this.#highWaterMark = Math.max(maxLineLength, 1024 * 1024);
    this.#events = events;
  }

  /** Whether the peer has ended its side (or the socket closed). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Total bytes received on this connection. */
  get received(): number {
    return this.#received;
  }

  /** Starts reading from `stream` (the raw socket, later the TLS socket). */
  attach(stream: Duplex): void {
    this.#stream = stream;
    stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.on('error', this.#onError);
    stream.on('close', this.#onClose);
    // A stream that closed before we listened (a peer that hung up right after the TLS
    // handshake) would otherwise leave a reader waiting until its deadline.
    if (stream.destroyed) queueMicrotask(this.#onClose);
  }

  /** Stops reading (before handing the socket to TLS); data stays in the socket's buffer. */
  detach(): void {
    const stream = this.#stream;
    if (stream === undefined) return;
    stream.pause();
    stream.off('data', this.#onData);
    stream.off('end', this.#onEnd);
    stream.off('close', this.#onClose);
    // The error listener stays: an error on a detached raw socket must not be unhandled.
    this.#stream = undefined;
  }

  /** Resolves on the next data, end or close. Resumes a paused socket. */
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiter = resolve;
      this.#stream?.resume();
    });
  }

  /** Resolves the pending {@link wait}, if any. */
  wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  #onData = (chunk: Buffer): void => {
    this.#received += chunk.length;
    if (this.#head !== undefined) {
      this.#head = Buffer.concat([this.#head, chunk.subarray(0, 2 - this.#head.length)]);
      if (this.#head.length >= 2) {
        const head = this.#head;
        this.#head = undefined;
        this.#events.head(head);
      }
    }
    this.framer.push(chunk);
    if (this.framer.length >= this.#highWaterMark) this.#stream?.pause();
    this.wake();
  };

  #onEnd = (): void => {
    this.#ended = true;
    this.wake();
  };

  #onError = (err: Error): void => {
    this.#events.error(err);
  };

  #onClose = (): void => {
    this.#ended = true;
    this.wake();
    this.#events.close();
  };
}
