import { open, type FileHandle } from 'node:fs/promises';

/** A file in the archive: its bytes, or a file on disk streamed in chunks. */
export type TarEntry = { name: string; data: Uint8Array } | { name: string; file: string };

const BLOCK = 512;
const CHUNK = 1 << 20;
/** ustar's size field holds 11 octal digits. */
const MAX_SIZE = 8 ** 11 - 1;

/**
 * Writes a ustar archive of `entries` to `path`, one file after the other, so memory stays at one
 * chunk whatever the sizes. Regular files only (mode 0644, owner 0); tar makes the directories of
 * the names on extraction. Returns the archive's size in bytes.
 */
export async function writeTar(
  path: string,
  entries: TarEntry[],
  mtime = new Date(),
): Promise<number> {
  const out = await open(path, 'w');
  let bytes = 0;
  const write = async (data: Uint8Array) => {
    let done = 0;
    while (done < data.length)
      done += (await out.write(data, done, data.length - done)).bytesWritten;
    bytes += data.length;
  };
  try {
    for (const entry of entries) {
      if ('data' in entry) {
        await write(header(entry.name, entry.data.length, mtime));
        await write(entry.data);
        await write(padding(entry.data.length));
      } else {
        const input = await open(entry.file, 'r');
        try {
          const { size } = await input.stat();
          await write(header(entry.name, size, mtime));
          await copy(input, size, entry.file, write);
          await write(padding(size));
        } finally {
          await input.close();
        }
      }
    }
    await write(Buffer.alloc(2 * BLOCK)); // the end of the archive: two zero blocks
  } finally {
    await out.close();
  }
  return bytes;
}

async function copy(
  input: FileHandle,
  size: number,
  name: string,
  write: (data: Uint8Array) => Promise<void>,
): Promise<void> {
  const chunk = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size, 1)));
  let copied = 0;
  while (copied < size) {
    const { bytesRead } = await input.read(chunk, 0, Math.min(chunk.length, size - copied), copied);
    // The header already holds the size: a file that shrank would leave a corrupt archive.
    if (bytesRead === 0) throw new Error(`${name} shrank while being archived`);
    await write(chunk.subarray(0, bytesRead));
    copied += bytesRead;
  }
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** A ustar header for a regular file. */
function header(name: string, size: number, mtime: Date): Buffer {
  const block = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(name) > 100) throw new RangeError(`tar entry name over 100 bytes: ${name}`);
  if (size > MAX_SIZE)
    throw new RangeError(`tar entry ${name} is over 8 GiB, more than ustar holds`);
  block.write(name, 0, 'utf8');
  octal(block, 100, 8, 0o644); // mode
  octal(block, 108, 8, 0); // uid
  octal(block, 116, 8, 0); // gid
  octal(block, 124, 12, size);
  octal(block, 136, 12, Math.max(0, Math.floor(mtime.getTime() / 1000)));
  block.write('0', 156, 'ascii'); // typeflag: regular file
  block.write('ustar\u000000', 257, 'ascii'); // magic "ustar\0", version "00"
  // The checksum is the sum of the header's bytes with its own field taken as eight spaces.
  block.fill(' ', 148, 156);
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 'ascii');
  return block;
}

/** A number as zero-padded octal digits and a NUL, filling the field. */
function octal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(value.toString(8).padStart(width - 1, '0') + '\u0000', offset, 'ascii');
}
