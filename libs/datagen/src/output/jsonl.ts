import { TextFile } from './text-file';
import type { ColumnSpec, RowSink } from './types';
import { checkWidth, textFormat, type TextEscapes } from './values';

const ESCAPES: TextEscapes = {
  string: JSON.stringify,
  timestamp: (iso) => '"' + iso + '"', // ISO text never needs escaping
  json: (json) => json,
};

/** One JSON object per line, keys in column order. Lines are assembled by hand: the `"name":`
 * parts are encoded once per file and JSON.stringify runs only for strings and json values. */
export function openJsonl(path: string, columns: ColumnSpec[]): RowSink {
  const file = new TextFile(path);
  const width = columns.length;
  const keys = columns.map((c, i) => (i === 0 ? '{' : ',') + JSON.stringify(c.name) + ':');
  const nulls = keys.map((key) => key + 'null');
  const formats = columns.map((c) => textFormat(c, ESCAPES));
  const end = width === 0 ? '{}\n' : '}\n';
  let rows = 0;
  return {
    write(row) {
      checkWidth(row, width);
      let line = '';
      for (let i = 0; i < width; i++) {
        const value = row[i];
        line += value === null || value === undefined ? nulls[i] : keys[i] + formats[i](value);
      }
      file.append(line + end);
      rows++;
    },
    close: () => ({ rows, bytes: file.close() }),
  };
}
