import type { Random } from '../random';
import { WORD_LISTS, type WordList } from './word-lists';

const pick = (list: readonly string[], random: Random): string =>
  list[Math.floor(random.next() * list.length)];

export const word = (list: WordList, random: Random): string => pick(WORD_LISTS[list], random);

/** Text generators by column `gen`, each drawing from the column's own stream. */
export const TEXT: Record<string, (random: Random) => string> = {
  first_name: (r) => word('first_name', r),
  last_name: (r) => word('last_name', r),
  full_name: (r) => `${word('first_name', r)} ${word('last_name', r)}`,
  company: (r) => `${word('company_stem', r)} ${word('company_kind', r)}`,
  street: (r) => `${1 + Math.floor(r.next() * 240)} ${word('street', r)} ${word('street_kind', r)}`,
  city: (r) => word('city', r),
  country: (r) => word('country', r),
  postcode: (r) => String(10000 + Math.floor(r.next() * 90000)),
  product: (r) => `${word('adjective', r)} ${word('product', r).replace(/-/g, ' ')}`,
  word: (r) => word('word', r),
};

/** An address from a name, unique enough with the row number: `ada.lee.42@example.com`. */
export function emailOf(name: string, index: number, random: Random): string {
  const local = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.|\.$/g, '');
  return `${local || 'user'}.${index}@${word('email_domain', random)}`;
}

/**
 * Fills a template: `{column}` reads a value through `read`, `{list:city}` draws a word,
 * `{n:3-9}` an integer in that range.
 */
export function compileTemplate(
  template: string,
  read: (name: string) => (row: never) => unknown,
): <R>(row: R, random: Random) => string {
  const parts: Array<string | ((row: never, random: Random) => string)> = [];
  let last = 0;
  for (const match of template.matchAll(/\{([a-z_][a-z0-9_.]*)(?::([^}]+))?\}/g)) {
    parts.push(template.slice(last, match.index));
    last = match.index + match[0].length;
    const [, head, arg] = match;
    if (head === 'list') {
      if (!arg || !(arg in WORD_LISTS)) {
        throw new Error(
          `{list:${arg}} names no word list (lists: ${Object.keys(WORD_LISTS).join(', ')})`,
        );
      }
      parts.push((_row, random) => word(arg as WordList, random));
    } else if (head === 'n') {
      const range = /^(-?\d+)-(-?\d+)$/.exec(arg ?? '');
      if (!range) throw new Error(`{n:${arg}} must be a range such as {n:2-9}`);
      const [lo, hi] = [Number(range[1]), Number(range[2])];
      parts.push((_row, random) => String(lo + Math.floor(random.next() * (hi - lo + 1))));
    } else {
      const value = read(head);
      parts.push((row) => String(value(row) ?? ''));
    }
  }
  parts.push(template.slice(last));
  return <R>(row: R, random: Random) =>
    parts.map((part) => (typeof part === 'string' ? part : part(row as never, random))).join('');
}
