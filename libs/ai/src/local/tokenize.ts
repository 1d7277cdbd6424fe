/** Words that carry no signal on their own. Negations stay: "no damage" must differ from "damage". */
const STOPWORDS = new Set([
  'a',
  'an',
  'the',
  'is',
  'are',
  'was',
  'were',
  'be',
  'to',
  'of',
  'and',
  'or',
  'for',
  'in',
  'on',
  'at',
  'it',
  'this',
  'that',
  'with',
  'as',
  'by',
  'we',
  'us',
  'our',
  'has',
  'have',
]);

/** Small numbers keep their order of magnitude: "stuck for 3 days" is not "stuck for 15 days". */
function numberToken(digits: string): string {
  if (digits.length >= 6) return '<code>';
  const value = Number(digits);
  if (value <= 1) return '<0-1>';
  if (value <= 4) return '<2-4>';
  if (value <= 9) return '<5-9>';
  if (value <= 19) return '<10-19>';
  return value <= 99 ? '<20-99>' : '<number>';
}

/**
 * Lowercased word tokens. Numbers collapse into magnitude placeholders and tracking codes
 * into one, so features generalise across values and codes do not bloat the model.
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const raw of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (raw.length === 0 || STOPWORDS.has(raw)) continue;
    if (/^\d+$/.test(raw)) tokens.push(numberToken(raw));
    else if (raw.length >= 8 && /\d/.test(raw)) tokens.push('<code>');
    else tokens.push(raw);
  }
  return tokens;
}

/** Unigrams and bigrams, each named `token:<text>` so explanations stay readable. */
export function textFeatures(text: string, into: Map<string, number>): void {
  const tokens = tokenize(text);
  const grams: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    grams.push(tokens[i]);
    if (i + 1 < tokens.length) grams.push(`${tokens[i]} ${tokens[i + 1]}`);
  }
  if (grams.length === 0) return;
  // Unit length, so a long ticket does not outweigh the structured fields.
  const counts = new Map<string, number>();
  for (const gram of grams) counts.set(gram, (counts.get(gram) ?? 0) + 1);
  let norm = 0;
  for (const count of counts.values()) norm += count * count;
  const scale = 1 / Math.sqrt(norm);
  for (const [gram, count] of counts) {
    const name = `token:${gram}`;
    into.set(name, (into.get(name) ?? 0) + count * scale);
  }
}
