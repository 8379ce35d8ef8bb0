/**
 * The file operations the Maildir needs, behind an interface so that tests can record
 * their order (durability is about order: write, fsync, rename, fsync the directory).
 */
import { promises as fsp } from 'node:fs';

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

/** The real file system. */
export const nodeIO: MaildirIO = {
  create: async (path) => wrap(await fsp.open(path, 'wx', 0o600)),
  openForSync: async (path) => wrap(await fsp.open(path, 'r')),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  mkdir: async (path) => {
    await fsp.mkdir(path, { recursive: true, mode: 0o700 });
  },
  readdir: (path) => fsp.readdir(path),
  stat: (path) => fsp.stat(path),
};
