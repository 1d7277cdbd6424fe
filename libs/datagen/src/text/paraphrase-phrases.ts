/**
 * The phrase banks of the paraphrase generator (`paraphrase.ts`): reviewer notes about delivery
 * exceptions and how they should have been handled. Part of the generated output: changing a
 * bank changes every pair, so add entries at the end rather than edit them.
 *
 * A template names its slots in braces: a synonym group (`{parcel}`), one of the incidental
 * facts (`{carrier}`, `{city}`, `{item}`, `{days}`, `{order}`), or in a verdict `{label}`, the
 * intent's label phrasings. Words in one group mean the same thing in these sentences.
 */

/** Interchangeable words and phrases: swapping one for another never changes the meaning. */
export const SYNONYMS = {
  parcel: ['parcel', 'package', 'shipment', 'box'],
  arrived: ['arrived', 'came', 'was delivered', 'turned up', 'showed up'],
  customer: ['customer', 'client', 'buyer', 'recipient'],
  reports: ['says', 'reports', 'tells us', 'claims', 'complains that'],
  broken: ['broken', 'damaged', 'smashed', 'cracked', 'in pieces'],
  crushed: ['crushed', 'dented', 'squashed', 'battered', 'torn'],
  late: ['late', 'delayed', 'overdue', 'behind schedule'],
  stuck: ['stuck', 'held', 'sitting', 'parked'],
  hub: ['hub', 'depot', 'sorting centre', 'warehouse', 'distribution centre'],
  no_update: ['no tracking update', 'no scan', 'no movement', 'no tracking news'],
  waiting: ['still waiting', 'still has nothing', 'keeps waiting', 'is still waiting'],
  missing: ['missing', 'not in the box', 'not included', 'absent'],
  never_received: ['never received it', 'did not get it', 'has not received it', 'never got it'],
  marked_delivered: [
    'marked as delivered',
    'shown as delivered',
    'listed as delivered',
    'scanned as delivered',
  ],
  address_bad: ['incomplete', 'wrong', 'invalid', 'incorrect'],
  house_number: ['house number', 'flat number', 'street number', 'apartment number'],
  returned: ['returned to sender', 'sent back to us', 'came back to the warehouse', 'bounced back'],
  undeliverable: ['undeliverable', 'not deliverable', 'impossible to deliver'],
  charged_twice: ['charged twice', 'billed twice', 'double charged', 'charged two times'],
  card: ['card', 'credit card', 'account', 'bank account'],
  out_of_stock: ['out of stock', 'sold out', 'not in stock', 'unavailable'],
  on_hold: ['on hold', 'blocked', 'waiting', 'paused'],
  cancel: ['cancel', 'call off', 'withdraw', 'drop'],
  wants: ['wants to', 'would like to', 'asks to', 'asked us to'],
  should_be: ['should be', 'should have been', 'must be labelled', 'needs to be classed as'],
  label_it: ['label it as', 'classify it as', 'mark it as', 'tag it as'],
  right_label: ['correct label is', 'right label is', 'proper label is', 'label should be'],
  send: ['send', 'ship', 'dispatch', 'post'],
  replacement: ['replacement', 'new one', 'new unit', 'replacement unit'],
  reship: ['reship', 'resend', 're-send', 'redeliver'],
  refund: ['refund', 'reimburse', 'pay back'],
  a_refund: ['a refund', 'a full refund', 'a reimbursement', 'the money back'],
  issue: ['issue', 'give', 'process', 'approve'],
  contact: ['contact', 'chase', 'call', 'email'],
  open_claim: ['open a claim', 'file a claim', 'raise a ticket', 'open a case'],
  verify: ['verify', 'confirm', 'check', 'double-check'],
  ask: ['ask', 'request', 'get'],
  correct: ['correct', 'right', 'full', 'complete'],
  raise: ['raise', 'send', 'trigger', 'create'],
  flag: ['flag', 'mark', 'report'],
  tell: ['tell', 'notify', 'alert', 'ask'],
  escalate: ['escalate it', 'pass it on', 'forward it', 'send it up'],
  human: ['human', 'person', 'support agent', 'team lead'],
} as const satisfies Record<string, readonly string[]>;

export type SynonymGroup = keyof typeof SYNONYMS;

/** How reviewers name the label the record should have had, words and code alike. */
export const LABEL_PHRASES = {
  DELIVERY_DELAY: ['a delivery delay', 'DELIVERY_DELAY', 'a late delivery', 'a delayed shipment'],
  DAMAGED_ITEM: ['a damaged item', 'DAMAGED_ITEM', 'damage in transit', 'a damaged delivery'],
  MISSING_ITEM: ['a missing item', 'MISSING_ITEM', 'an incomplete delivery', 'a missing product'],
  ADDRESS_ISSUE: ['an address issue', 'ADDRESS_ISSUE', 'an address problem', 'a bad address'],
  PAYMENT_ISSUE: ['a payment issue', 'PAYMENT_ISSUE', 'a billing problem', 'a payment problem'],
  INVENTORY_SHORTAGE: [
    'an inventory shortage',
    'INVENTORY_SHORTAGE',
    'a stock shortage',
    'a stock problem',
  ],
  CUSTOMER_REQUEST: [
    'a customer request',
    'CUSTOMER_REQUEST',
    'a request from the customer',
    'a customer wish',
  ],
} as const satisfies Record<string, readonly string[]>;

export type LabelName = keyof typeof LABEL_PHRASES;

/** The verdict clause: the label the record should have had. */
export const VERDICT_TEMPLATES = [
  'this is {label}',
  '{should_be} {label}',
  '{label_it} {label}',
  '{right_label} {label}',
] as const;

/** The action clause, by the action that should have been recommended. */
export const ACTION_TEMPLATES = {
  RESHIP: ['{send} a {replacement}', '{reship} the order', '{send} the {item} again'],
  REFUND: ['{refund} the {customer}', '{issue} {a_refund}', '{refund} order {order}'],
  CONTACT_CARRIER: ['{contact} {carrier}', '{open_claim} with {carrier}', '{contact} the carrier'],
  VERIFY_ADDRESS: [
    '{verify} the address with the {customer}',
    '{ask} the {customer} for the {correct} address',
    '{verify} the delivery address',
  ],
  RESTOCK_ALERT: [
    '{raise} a restock alert',
    '{flag} the {item} for restocking',
    '{tell} purchasing to restock',
  ],
  ESCALATE_HUMAN: ['{escalate} to a {human}', 'hand it to a {human}', 'let a {human} decide'],
} as const satisfies Record<string, readonly string[]>;

export type ActionName = keyof typeof ACTION_TEMPLATES;

interface IntentPhrases {
  label: LabelName;
  /** The actions a reviewer may ask for here: which one is a key fact of the note. */
  actions: readonly ActionName[];
  /** Ways of describing the situation; any two describe the same situation. */
  situations: readonly string[];
}

/** What a note is about. Two notes about different intents are never the same learning. */
export const INTENTS = {
  late_delivery: {
    label: 'DELIVERY_DELAY',
    actions: ['CONTACT_CARRIER', 'REFUND', 'ESCALATE_HUMAN'],
    situations: [
      '{parcel} {stuck} at the {city} {hub} for {days} days',
      'order {order} is {days} days {late}',
      '{no_update} for {days} days, {carrier} {parcel} still in {city}',
      '{carrier} {parcel} {late}, {customer} {waiting} after {days} days',
    ],
  },
  damaged_item: {
    label: 'DAMAGED_ITEM',
    actions: ['RESHIP', 'REFUND'],
    situations: [
      '{parcel} {arrived} {crushed} and the {item} is {broken}',
      'the {item} {arrived} {broken}',
      '{customer} {reports} the {item} is {broken}, box {crushed}',
      '{item} from order {order} {broken} on arrival',
    ],
  },
  missing_item: {
    label: 'MISSING_ITEM',
    actions: ['RESHIP', 'REFUND'],
    situations: [
      'the {item} is {missing} from order {order}',
      '{customer} {reports} the {item} was {missing}',
      '{parcel} {arrived} but the {item} is {missing}',
      'only part of order {order} {arrived}, {item} {missing}',
    ],
  },
  not_received: {
    label: 'MISSING_ITEM',
    actions: ['CONTACT_CARRIER', 'RESHIP', 'REFUND'],
    situations: [
      '{marked_delivered} by {carrier} but the {customer} {never_received}',
      'order {order} {marked_delivered} in {city} but the {customer} {never_received}',
      '{customer} {never_received} although {carrier} has it {marked_delivered}',
      'no {parcel} at the door in {city}, yet it is {marked_delivered}',
    ],
  },
  wrong_address: {
    label: 'ADDRESS_ISSUE',
    actions: ['VERIFY_ADDRESS', 'CONTACT_CARRIER'],
    situations: [
      'address for order {order} is {address_bad}, no {house_number}',
      '{carrier} could not deliver in {city}, {house_number} not given',
      'the {customer} gave an {address_bad} address in {city}',
      '{address_bad} postcode, {carrier} driver could not find the street in {city}',
    ],
  },
  returned_to_sender: {
    label: 'ADDRESS_ISSUE',
    actions: ['VERIFY_ADDRESS', 'RESHIP', 'REFUND'],
    situations: [
      '{parcel} {returned} by {carrier}',
      '{carrier} found the {parcel} {undeliverable} and it was {returned}',
      'order {order} {returned} after {days} failed attempts',
      'the {item} {returned}, {customer} unknown in {city}',
    ],
  },
  double_charge: {
    label: 'PAYMENT_ISSUE',
    actions: ['REFUND', 'ESCALATE_HUMAN'],
    situations: [
      '{customer} was {charged_twice} for order {order}',
      'order {order} {charged_twice} on the same {card}',
      'the {customer} {reports} being {charged_twice} for the {item}',
      'two payments for one order, {customer} {card} {charged_twice}',
    ],
  },
  out_of_stock: {
    label: 'INVENTORY_SHORTAGE',
    actions: ['RESTOCK_ALERT', 'REFUND'],
    situations: [
      'the {item} is {out_of_stock} in the {city} {hub}',
      'order {order} cannot ship, {item} {out_of_stock}',
      '{item} {out_of_stock}, order {order} {on_hold}',
      'no {item} left at the {hub}, it is {out_of_stock}',
    ],
  },
  cancel_request: {
    label: 'CUSTOMER_REQUEST',
    actions: ['REFUND', 'ESCALATE_HUMAN'],
    situations: [
      '{customer} {wants} {cancel} order {order}',
      '{customer} no longer needs the {item} and {wants} {cancel} it',
      'request to {cancel} order {order} before it ships',
      'the {customer} changed their mind and {wants} {cancel} the {item}',
    ],
  },
} as const satisfies Record<string, IntentPhrases>;

export type Intent = keyof typeof INTENTS;

/** Words a note may open with; they add nothing to its meaning. */
export const OPENERS = [
  'FYI',
  'Hi team,',
  'Note:',
  'Correction:',
  'Please fix:',
  'Again,',
  'As discussed,',
  'Heads up:',
  'Reviewer note:',
] as const;

/** Words a note may close with; they add nothing to its meaning. */
export const CLOSERS = [
  'thanks',
  'please update',
  'same as last time',
  'see ticket {order}',
  'thx',
  'cheers',
  'please learn from this',
] as const;

/** What joins a clause to the verdict or action after it. */
export const JOINERS = [', ', '; ', ' - ', '. ', ' so ', ', so '] as const;

/** What joins a clause to the situation after it. */
export const REASON_JOINERS = [', ', '; ', ' - ', '. ', ' because ', ' as '] as const;
