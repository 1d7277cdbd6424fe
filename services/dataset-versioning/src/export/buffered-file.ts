import { closeSync, openSync, writeSync } from 'node:fs';

/** About 1 MB is gathered before each write: few syscalls, bounded memory. */
const FLUSH_AT = 1 << 20;

/** A binary file written synchronously in ~1 MB chunks, like the datagen sinks' files. */
export class BufferedFile {
  private fd: number;
  private readonly buffer = Buffer.allocUnsafe(FLUSH_AT);
  private used = 0;
  private written = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  append(bytes: Uint8Array): void {
    if (this.fd < 0) throw new Error('the file is closed');
    if (this.used + bytes.length > FLUSH_AT) {
      this.flush();
      if (bytes.length > FLUSH_AT) {
        this.written += writeFully(this.fd, bytes);
        return;
      }
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Returns the file's size in bytes. */
  close(): number {
    if (this.fd < 0) throw new Error('the file is closed');
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
    return this.written;
  }

  private flush(): void {
    this.written += writeFully(this.fd, this.buffer.subarray(0, this.used));
    this.used = 0;
  }
}

/** writeSync may write less than asked; loop until all of it is out. */
function writeFully(fd: number, bytes: Uint8Array): number {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
  return bytes.length;
}
