import { BufferedFile } from './buffered-file';
import { maskedCrc32c } from './crc32c';

export interface RecordFile {
  write(record: Uint8Array): void;
  close(): { rows: number; bytes: number };
}

/**
 * A TFRecord file: per record, its length (uint64 LE), the masked CRC-32C of those 8 bytes
 * (uint32 LE), the record, and the masked CRC-32C of the record (uint32 LE).
 */
export function openTfRecord(path: string): RecordFile {
  const file = new BufferedFile(path);
  const header = Buffer.alloc(12);
  const footer = Buffer.alloc(4);
  let rows = 0;
  return {
    write(record) {
      header.writeUInt32LE(record.length % 2 ** 32, 0);
      header.writeUInt32LE(Math.floor(record.length / 2 ** 32), 4);
      header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
      footer.writeUInt32LE(maskedCrc32c(record), 0);
      file.append(header);
      file.append(record);
      file.append(footer);
      rows++;
    },
    close: () => ({ rows, bytes: file.close() }),
  };
}
