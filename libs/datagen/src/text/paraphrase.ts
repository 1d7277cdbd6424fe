import { type Random, streamOf } from '../random';
import {
  ACTION_TEMPLATES,
  type ActionName,
  CLOSERS,
  type Intent,
  INTENTS,
  JOINERS,
  LABEL_PHRASES,
  OPENERS,
  REASON_JOINERS,
  SYNONYMS,
  VERDICT_TEMPLATES,
} from './paraphrase-phrases';
import { WORD_LISTS } from './word-lists';

export { type ActionName, type Intent, INTENTS } from './paraphrase-phrases';

/**
 * How `b` relates to `a`:
 * - `paraphrase`: the same learning in other words. Same intent and same key fact (the action
 *   the reviewer asks for); anything else may change: synonyms, clause order, opening and
 *   closing words, whether the label is spelled out, the incidental facts (carrier, city,
 *   product, days, order number), casing and a typo, or the whole situation reworded.
 * - `different_intent`: a note about another situation (late delivery vs damaged item), often
 *   in the same style and with the same carrier, city and product.
 * - `different_fact`: the same situation, but another action (reship vs refund), with a few
 *   of the edits a paraphrase makes on top.
 */
export type PairRelation = 'paraphrase' | 'different_intent' | 'different_fact';

export interface SentencePair {
  a: string;
  b: string;
  /** Whether `a` and `b` are the same learning, i.e. `relation === 'paraphrase'`. */
  paraphrase: boolean;
  /** What `a` is about. */
  intent: Intent;
  /** What `b` is about: `intent` unless the relation is `different_intent`. */
  intentB: Intent;
  relation: PairRelation;
  /** The action each note asks for; they differ only for `different_fact`. */
  action: ActionName;
  actionB: ActionName;
  /** The edits that made `b` from `a` (none for `different_intent`), for breakdowns. */
  edits: ParaphraseEdit[];
}

export type ParaphraseEdit =
  | 'synonym'
  | 'incidental_fact'
  | 'filler'
  | 'reorder'
  | 'surface'
  | 'verdict'
  | 'action_wording'
  | 'reword';

export interface ParaphraseOptions {
  /** Share of pairs that are paraphrases; exact (every k-th pair), default 0.5. */
  paraphraseShare?: number;
  /** Share of the other pairs that differ in intent; the rest differ in a key fact. Default 0.5. */
  differentIntentShare?: number;
  /**
   * Most edits that make a paraphrase: each has 1 to `maxEdits` (uniformly), a pair that
   * differs in a key fact 0 to `maxEdits - 1` on top. Default 3; 1 gives near-duplicates.
   */
  maxEdits?: number;
}

/**
 * `count` labelled pairs of reviewer notes about delivery exceptions and their corrections,
 * for measuring de-duplication. The same seed gives the same pairs on any machine; pair i is
 * drawn from its own stream, so the first n pairs of a longer run are the n pairs of a shorter
 * one. Paraphrases are spread evenly: pair i is one when floor((i + 1) * share) grows at i.
 */
export function paraphrasePairs(
  seed: number,
  count: number,
  options: ParaphraseOptions = {},
): SentencePair[] {
  const share = options.paraphraseShare ?? 0.5;
  const intentShare = options.differentIntentShare ?? 0.5;
  if (!(share >= 0 && share <= 1)) throw new RangeError('paraphraseShare must be in [0, 1]');
  if (!(intentShare >= 0 && intentShare <= 1)) {
    throw new RangeError('differentIntentShare must be in [0, 1]');
  }
  const maxEdits = options.maxEdits ?? 3;
  if (!(Number.isInteger(maxEdits) && maxEdits >= 1)) {
    throw new RangeError(`maxEdits must be an integer >= 1, got ${maxEdits}`);
  }
  if (!(count >= 0 && Number.isSafeInteger(count))) {
    throw new RangeError(`count must be a safe integer >= 0, got ${count}`);
  }
  const pairs: SentencePair[] = [];
  for (let i = 0; i < count; i++) {
    const random = streamOf(seed, 'paraphrase', String(i));
    const isParaphrase = Math.floor((i + 1) * share) > Math.floor(i * share);
    const relation: PairRelation = isParaphrase
      ? 'paraphrase'
      : random.next() < intentShare
        ? 'different_intent'
        : 'different_fact';
    pairs.push(pairOf(relation, maxEdits, random));
  }
  return pairs;
}

function pairOf(relation: PairRelation, maxEdits: number, random: Random): SentencePair {
  const intent = pick(INTENT_NAMES, random);
  const a = newNote(intent, pick(INTENTS[intent].actions, random), random);
  let b: Note;
  const edits: ParaphraseEdit[] = [];
  if (relation === 'paraphrase') {
    b = cloneNote(a);
    const n = 1 + Math.floor(random.next() * maxEdits);
    for (let k = 0; k < n; k++) edits.push(applyEdit(b, random));
  } else if (relation === 'different_fact') {
    b = cloneNote(a);
    const others = INTENTS[intent].actions.filter((action) => action !== a.action);
    b.action = pick(others, random);
    setTemplate(b, 'action', Math.floor(random.next() * ACTION_TEMPLATES[b.action].length), random);
    const n = Math.floor(random.next() * maxEdits);
    for (let k = 0; k < n; k++) edits.push(applyEdit(b, random, ['action_wording']));
  } else {
    b = otherIntentNote(a, random);
  }
  return {
    a: render(a),
    b: render(b),
    paraphrase: relation === 'paraphrase',
    intent,
    intentB: b.intent,
    relation,
    action: a.action,
    actionB: b.action,
    edits,
  };
}

const INTENT_NAMES = Object.keys(INTENTS) as Intent[];

type Part = 'situation' | 'verdict' | 'action';

interface Facts {
  carrier: string;
  city: string;
  item: string;
  days: number;
  order: string;
}
type Fact = keyof Facts;
const FACTS: readonly Fact[] = ['carrier', 'city', 'item', 'days', 'order'];

/** A note before it is written out; edits change this, `render` writes it. */
interface Note {
  intent: Intent;
  action: ActionName;
  templates: Record<Part, number>;
  /** The parts written, in order; always the situation and the action, maybe the verdict. */
  order: Part[];
  /** The word chosen for each synonym slot, by `part:ordinal`. */
  choices: Record<string, number>;
  facts: Facts;
  /** A joiner index per gap between parts. */
  joiners: number[];
  opener: number;
  closer: number;
  lowercase: boolean;
  period: boolean;
  /** Where a typo swaps two letters, as fractions of the words and of the word; or none. */
  typo: [number, number] | null;
}

const pick = <T>(list: readonly T[], random: Random): T =>
  list[Math.floor(random.next() * list.length)];

/** Another index in [0, n) than `current`, or `current` when there is no other. */
const another = (current: number, n: number, random: Random): number =>
  n < 2 ? current : (current + 1 + Math.floor(random.next() * (n - 1))) % n;

const templateOf = (note: Note, part: Part): string => {
  const index = note.templates[part];
  if (part === 'situation') return INTENTS[note.intent].situations[index];
  if (part === 'verdict') return VERDICT_TEMPLATES[index];
  return ACTION_TEMPLATES[note.action][index];
};

const SLOT = /\{([a-z_]+)\}/g;

/** The options of a slot, or undefined for a fact slot. */
function optionsOf(note: Note, slot: string): readonly string[] | undefined {
  if (slot === 'label') return LABEL_PHRASES[INTENTS[note.intent].label];
  return (SYNONYMS as Record<string, readonly string[]>)[slot];
}

/** Uses template `index` for `part` and draws a word for each of its synonym slots. */
function setTemplate(note: Note, part: Part, index: number, random: Random): void {
  note.templates[part] = index;
  for (const key of Object.keys(note.choices)) {
    if (key.startsWith(`${part}:`)) delete note.choices[key];
  }
  let ordinal = 0;
  for (const [, slot] of templateOf(note, part).matchAll(SLOT)) {
    const options = optionsOf(note, slot);
    if (options) note.choices[`${part}:${ordinal}`] = Math.floor(random.next() * options.length);
    ordinal++;
  }
}

function newFacts(random: Random): Facts {
  const letters = 'ABCDEFGHKMNPRSTW';
  return {
    carrier: pick(WORD_LISTS.carrier, random).replace(/-/g, ' '),
    city: pick(WORD_LISTS.city, random),
    item: pick(WORD_LISTS.product, random).replace(/-/g, ' ').toLowerCase(),
    days: 2 + Math.floor(random.next() * 13),
    order: `${pick([...letters], random)}-${10000 + Math.floor(random.next() * 90000)}`,
  };
}

function newFact(fact: Fact, current: Facts, random: Random): Facts[Fact] {
  for (;;) {
    const value = newFacts(random)[fact];
    if (value !== current[fact]) return value;
  }
}

function newNote(intent: Intent, action: ActionName, random: Random): Note {
  const note: Note = {
    intent,
    action,
    templates: { situation: 0, verdict: 0, action: 0 },
    order: [],
    choices: {},
    facts: newFacts(random),
    joiners: [],
    opener: random.next() < 0.3 ? Math.floor(random.next() * OPENERS.length) : -1,
    closer: random.next() < 0.3 ? Math.floor(random.next() * CLOSERS.length) : -1,
    lowercase: random.next() < 0.3,
    period: random.next() < 0.5,
    typo: random.next() < 0.1 ? [random.next(), random.next()] : null,
  };
  const draw = (n: number) => Math.floor(random.next() * n);
  setTemplate(note, 'situation', draw(INTENTS[intent].situations.length), random);
  setTemplate(note, 'verdict', draw(VERDICT_TEMPLATES.length), random);
  setTemplate(note, 'action', draw(ACTION_TEMPLATES[action].length), random);
  const parts: Part[] =
    random.next() < 0.6 ? ['situation', 'verdict', 'action'] : ['situation', 'action'];
  note.order = random.next() < 0.7 ? parts : shuffled(parts, random);
  note.joiners = newJoiners(note.order.length - 1, random);
  return note;
}

const newJoiners = (n: number, random: Random): number[] =>
  Array.from({ length: n }, () => Math.floor(random.next() * JOINERS.length));

function shuffled<T>(list: readonly T[], random: Random): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const cloneNote = (note: Note): Note => ({
  ...note,
  templates: { ...note.templates },
  order: [...note.order],
  choices: { ...note.choices },
  facts: { ...note.facts },
  joiners: [...note.joiners],
  typo: note.typo ? [...note.typo] : null,
});

/** A note about another intent in the style of `a`, often sharing its facts and fillers. */
function otherIntentNote(a: Note, random: Random): Note {
  const intent = pick(
    INTENT_NAMES.filter((name) => name !== a.intent),
    random,
  );
  const actions = INTENTS[intent].actions;
  const sameAction = (actions as readonly ActionName[]).includes(a.action) && random.next() < 0.5;
  const b = newNote(intent, sameAction ? a.action : pick(actions, random), random);
  if (sameAction) {
    // The very same action clause: only the situation tells the two apart.
    b.templates.action = a.templates.action;
    for (const key of Object.keys(b.choices)) {
      if (key.startsWith('action:')) delete b.choices[key];
    }
    for (const [key, value] of Object.entries(a.choices)) {
      if (key.startsWith('action:')) b.choices[key] = value;
    }
  }
  for (const fact of FACTS) {
    if (random.next() < 0.6) (b.facts as unknown as Record<Fact, unknown>)[fact] = a.facts[fact];
  }
  if (random.next() < 0.5) {
    b.opener = a.opener;
    b.closer = a.closer;
  }
  if (random.next() < 0.5) {
    b.lowercase = a.lowercase;
    b.period = a.period;
  }
  if (b.order.length === a.order.length && random.next() < 0.5) {
    b.order = [...a.order];
    b.joiners = [...a.joiners];
    if (b.order.includes('verdict')) {
      // The same verdict wording, naming b's own label.
      setTemplate(b, 'verdict', a.templates.verdict, random);
      const labels = LABEL_PHRASES[INTENTS[b.intent].label];
      for (const [key, value] of Object.entries(a.choices)) {
        if (key.startsWith('verdict:') && slotOptions(b, key) !== labels) {
          b.choices[key] = value;
        }
      }
    }
  }
  return b;
}

const EDIT_WEIGHTS: readonly [ParaphraseEdit, number][] = [
  ['synonym', 3],
  ['incidental_fact', 2],
  ['filler', 2],
  ['reorder', 1.5],
  ['surface', 1.5],
  ['verdict', 1],
  ['action_wording', 1],
  ['reword', 0.75],
];

/** Makes one meaning-preserving edit to `note`, none of `excluded`; returns which. */
function applyEdit(note: Note, random: Random, excluded: ParaphraseEdit[] = []): ParaphraseEdit {
  const weights = EDIT_WEIGHTS.filter(([edit]) => !excluded.includes(edit));
  let draw = random.next() * weights.reduce((sum, [, weight]) => sum + weight, 0);
  let edit = weights[weights.length - 1][0];
  for (const [name, weight] of weights) {
    if ((draw -= weight) < 0) {
      edit = name;
      break;
    }
  }
  switch (edit) {
    case 'synonym': {
      const slots = Object.keys(note.choices).filter((key) => {
        const part = key.slice(0, key.indexOf(':')) as Part;
        return note.order.includes(part) && (slotOptions(note, key)?.length ?? 0) > 1;
      });
      if (slots.length === 0) return applyEdit(note, random, [...excluded, 'synonym']);
      const key = pick(slots, random);
      note.choices[key] = another(note.choices[key], slotOptions(note, key)!.length, random);
      return edit;
    }
    case 'incidental_fact': {
      const used = usedFacts(note);
      if (used.length === 0) return applyEdit(note, random, [...excluded, 'incidental_fact']);
      const fact = pick(used, random);
      (note.facts as unknown as Record<Fact, unknown>)[fact] = newFact(fact, note.facts, random);
      return edit;
    }
    case 'filler': {
      const field = random.next() < 0.5 ? 'opener' : 'closer';
      const n = field === 'opener' ? OPENERS.length : CLOSERS.length;
      if (note[field] < 0) note[field] = Math.floor(random.next() * n);
      else note[field] = random.next() < 0.6 ? -1 : another(note[field], n, random);
      return edit;
    }
    case 'reorder': {
      const before = note.order.join();
      while (note.order.join() === before) note.order = shuffled(note.order, random);
      note.joiners = newJoiners(note.order.length - 1, random);
      return edit;
    }
    case 'surface': {
      const what = random.next();
      if (what < 0.4) note.lowercase = !note.lowercase;
      else if (what < 0.7) note.period = !note.period;
      else note.typo = note.typo ? null : [random.next(), random.next()];
      return edit;
    }
    case 'verdict': {
      if (note.order.includes('verdict')) {
        note.order = note.order.filter((part) => part !== 'verdict');
        note.joiners = note.joiners.slice(1);
      } else {
        setTemplate(note, 'verdict', Math.floor(random.next() * VERDICT_TEMPLATES.length), random);
        note.order.splice(Math.floor(random.next() * 3), 0, 'verdict');
        note.joiners = newJoiners(note.order.length - 1, random);
      }
      return edit;
    }
    case 'action_wording': {
      const n = ACTION_TEMPLATES[note.action].length;
      setTemplate(note, 'action', another(note.templates.action, n, random), random);
      return edit;
    }
    case 'reword': {
      const n = INTENTS[note.intent].situations.length;
      setTemplate(note, 'situation', another(note.templates.situation, n, random), random);
      return edit;
    }
  }
}

function slotOptions(note: Note, key: string): readonly string[] | undefined {
  const [part, ordinal] = key.split(':');
  const slots = [...templateOf(note, part as Part).matchAll(SLOT)];
  return optionsOf(note, slots[Number(ordinal)][1]);
}

/** The facts the written note mentions: changing another would change nothing. */
function usedFacts(note: Note): Fact[] {
  const text = [
    ...note.order.map((part) => templateOf(note, part)),
    note.closer >= 0 ? CLOSERS[note.closer] : '',
  ].join(' ');
  return FACTS.filter((fact) => text.includes(`{${fact}}`));
}

function renderPart(note: Note, part: Part): string {
  let ordinal = 0;
  return templateOf(note, part).replace(SLOT, (_match, slot: string) => {
    const options = optionsOf(note, slot);
    const index = ordinal++;
    if (options) return options[note.choices[`${part}:${index}`]];
    return String(note.facts[slot as Fact]);
  });
}

function render(note: Note): string {
  let text = '';
  note.order.forEach((part, i) => {
    const clause = renderPart(note, part);
    if (i === 0) text = clause;
    else {
      const joiners = part === 'situation' ? REASON_JOINERS : JOINERS;
      const joiner = joiners[note.joiners[i - 1] % joiners.length];
      text += joiner + (joiner.startsWith('.') ? capitalised(clause) : clause);
    }
  });
  if (note.opener >= 0) text = `${OPENERS[note.opener]} ${text}`;
  if (note.closer >= 0) {
    const closer = CLOSERS[note.closer].replace('{order}', note.facts.order);
    text += `${note.period ? '.' : ','} ${closer}`;
  }
  if (note.period) text += '.';
  if (note.typo) text = withTypo(text, note.typo);
  return note.lowercase ? text.toLowerCase() : capitalised(text);
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Swaps two neighbouring letters inside one word of four letters or more. */
function withTypo(text: string, [which, where]: [number, number]): string {
  const words = [...text.matchAll(/[a-z]{4,}/g)];
  if (words.length === 0) return text;
  const word = words[Math.floor(which * words.length)];
  const at = word.index + 1 + Math.floor(where * (word[0].length - 3));
  return text.slice(0, at) + text[at + 1] + text[at] + text.slice(at + 2);
}
