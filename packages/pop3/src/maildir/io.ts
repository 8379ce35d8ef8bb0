/**
 * The file operations the Maildir needs, behind an interface so that tests can record
 * their order (durability is about order: write, fsync, rename, fsync the directory).
 */
import { closeSync, fsync, openSync, promises as fsp, renameSync, unlinkSync, writeSync } from 'node:fs';

/** An open file: what the Maildir writes through. */
export interface MaildirFile {
  write(data: Uint8Array): Promise<unknown>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** File-system operations used by {@link Maildir}; defaults to `node:fs/promises`. */
export interface MaildirIO {
  /** Creates a new file exclusively (`wx`), failing if it exists. */
  create(path: string): Promise<MaildirFile>;
  /**
   * Optional fast path: creates a new file exclusively and writes `data` into it (no fsync),
   * removing the partial file when the write fails. Without it, {@link create} is used.
   * With `keepOpen`, an implementation may return the still open file, which the batch then
   * fsyncs and closes at commit instead of opening the file a second time; returning nothing
   * means the file is closed (the batch reopens it with {@link openForSync}).
   */
  writeNew?(path: string, data: Uint8Array, keepOpen?: boolean): Promise<MaildirFile | void>;
  /** Opens an existing file or directory read-only, to fsync it. */
  openForSync(path: string): Promise<MaildirFile>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<{ size: number; isDirectory(): boolean }>;
}

function wrap(handle: fsp.FileHandle): MaildirFile {
  return {
    write: (data) => handle.write(data),
    sync: () => handle.sync(),
    close: () => handle.close(),
  };
}

/**
 * A file descriptor as a {@link MaildirFile}. Only `fsync` goes to the libuv threadpool (it
 * waits for the disk); writing a small buffer and closing are done in place, which costs a few
 * microseconds against a thread hand-off and a promise per call through `FileHandle`.
 */
function fdFile(fd: number): MaildirFile {
  let closed = false;
  return {
    write: async (data) => {
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
    },
    sync: () =>
      new Promise<void>((resolve, reject) => {
        fsync(fd, (error) => (error ? reject(error) : resolve()));
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

/**
 * Writes a small file with blocking calls. A 10 KB write into the page cache takes tens of
 * microseconds; the same through the libuv threadpool costs three thread hand-offs
 * (open, write, close), which measured 1-3 ms per message on a busy 2-core machine and made
 * storing, not POP3, the bottleneck of `fetch`. The slow part (fsync) stays asynchronous.
 * Returns the open descriptor when `keepOpen`, so the fsync needs no second open.
 */
function writeNewSync(path: string, data: Uint8Array, keepOpen: boolean): number | undefined {
  const fd = openSync(path, 'wx', 0o600);
  try {
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
  } catch (error) {
    closeSync(fd);
    try {
      unlinkSync(path);
    } catch {
      // best effort: the write error is what matters
    }
    throw error;
  }
  if (keepOpen) return fd;
  closeSync(fd);
  return undefined;
}

/**
 * The real file system. Opening an existing file and renaming are metadata operations of a
 * few microseconds on a local disk, done in place for the same reason as the small writes;
 * fsync, which waits for the disk, runs in the threadpool.
 */
export const nodeIO: MaildirIO = {
  create: async (path) => wrap(await fsp.open(path, 'wx', 0o600)),
  writeNew: async (path, data, keepOpen = false) => {
    const fd = writeNewSync(path, data, keepOpen);
    return fd === undefined ? undefined : fdFile(fd);
  },
  openForSync: async (path) => fdFile(openSync(path, 'r')),
  rename: async (from, to) => renameSync(from, to),
  unlink: (path) => fsp.unlink(path),
  mkdir: async (path) => {
    await fsp.mkdir(path, { recursive: true, mode: 0o700 });
  },
  readdir: (path) => fsp.readdir(path),
  stat: (path) => fsp.stat(path),
};
