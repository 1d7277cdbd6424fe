import { Rng } from './prng';

const KEYBOARD_NEIGHBOURS: Record<string, string> = {
  a: 'qs',
  e: 'wr',
  i: 'uo',
  o: 'ip',
  u: 'yi',
  n: 'bm',
  r: 'et',
  s: 'ad',
  t: 'ry',
  l: 'k',
  d: 'sf',
  c: 'xv',
};

/** One human slip in a word: swapped, dropped, doubled or mistyped letter. */
export function typo(word: string, rng: Rng): string {
  if (word.length < 4) return word;
  const at = rng.int(1, word.length - 2);
  switch (rng.int(0, 3)) {
    case 0:
      return word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
    case 1:
      return word.slice(0, at) + word.slice(at + 1);
    case 2:
      return word.slice(0, at) + word[at] + word.slice(at);
    default: {
      const options = KEYBOARD_NEIGHBOURS[word[at].toLowerCase()];
      return options ? word.slice(0, at) + rng.pick([...options]) + word.slice(at + 1) : word;
    }
  }
}

/**
 * Roughens a clean sentence the way tickets and carrier feeds arrive: typos, shouting,
 * everything lowercase, missing punctuation, doubled spaces.
 */
export function roughen(text: string, rng: Rng, typoRate = 0.04): string {
  let out = text
    .split(' ')
    .map((word) => (rng.chance(typoRate) ? typo(word, rng) : word))
    .join(' ');
  if (rng.chance(0.15)) out = out.replace(/[.,]/g, '');
  if (rng.chance(0.2)) out = out.toLowerCase();
  else if (rng.chance(0.04)) out = out.toUpperCase();
  if (rng.chance(0.1)) out = out.replace(/ /g, () => (rng.chance(0.1) ? '  ' : ' '));
  return out.trim();
}

/** Fills `{slot}` placeholders; an unknown slot is a bug in a phrase bank. */
export function fill(template: string, slots: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = slots[name];
    if (value === undefined) throw new Error(`phrase slot {${name}} has no value`);
    return value;
  });
}

/** Joins clauses into one text with sentence capitalisation. */
export function sentences(parts: string[]): string {
  return parts
    .filter((part) => part.length > 0)
    .map((part) => {
      const trimmed = part.trim();
      const capital = trimmed[0].toUpperCase() + trimmed.slice(1);
      // Openers such as "hi team," or "URGENT:" run into the next sentence.
      return /[.!?:,]$/.test(capital) ? capital : `${capital}.`;
    })
    .join(' ');
}
