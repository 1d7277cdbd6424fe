import { TextFile } from './text-file';
import type { ColumnSpec, RowSink } from './types';
import { checkWidth, textFormat, type TextEscapes } from './values';

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180 field: quoted only when it holds `,` `"` CR or LF. The empty string is the one other
 * exception, written `""`, since a bare empty field is how a null is written. */
export function csvField(text: string): string {
  if (text === '') return '""';
  return NEEDS_QUOTES.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text;
}

const ESCAPES: TextEscapes = { string: csvField, timestamp: (iso) => iso, json: csvField };

/** A header row of column names, then one line per row; `\n` line ends, null as an empty field. */
export function openCsv(path: string, columns: ColumnSpec[]): RowSink {
  const file = new TextFile(path);
  const width = columns.length;
  const formats = columns.map((c) => textFormat(c, ESCAPES));
  let rows = 0;
  file.append(columns.map((c) => csvField(c.name)).join(',') + '\n');
  return {
    write(row) {
      checkWidth(row, width);
      let line = '';
      for (let i = 0; i < width; i++) {
        const value = row[i];
        if (i > 0) line += ',';
        if (value !== null && value !== undefined) line += formats[i](value);
      }
      file.append(line + '\n');
      rows++;
    },
    close: () => ({ rows, bytes: file.close() }),
  };
}
