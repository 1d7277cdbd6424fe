import type { Scenario, Subtype } from './scenarios';

/**
 * Phrase banks for delivery exception descriptions. Many phrasings avoid the obvious word
 * (a "cracked screen" never says damaged) so a model has to learn more than one keyword.
 */
export interface PhraseBank {
  /** Main sentence, by subtype where the subtype changes the story. */
  core: Partial<Record<Subtype | 'any', readonly string[]>>;
  /** A short mention when this is the second problem of a case. */
  clause: readonly string[];
  /** What reporters type into a "kind" field for this problem. */
  kinds: readonly string[];
}

export const EXCEPTION_PHRASES: Record<Scenario, PhraseBank> = {
  damage: {
    core: {
      any: [
        'parcel arrived crushed, {item} broken',
        'the {item} arrived with a cracked screen',
        'box was soaked through and the {item} is ruined',
        'customer reports the {item} is damaged, corner of the box smashed in',
        'item arrived broken into pieces',
        'the lid of the {item} snapped off in transit',
        'packaging torn open and the {item} scratched all over',
        'glass {item} shattered, shards everywhere in the box',
        '{item} is dented and does not close anymore',
        'contents leaking, bottle cracked',
        'looks like the parcel was dropped from a height, {item} bent',
        'received the {item} in bad condition, dented and scuffed',
        'damaged on arrival: {item} has a big crack',
        'warehouse inspection found the {item} broken before dispatch',
      ],
    },
    clause: [
      'and the {item} inside was broken',
      'also the box was crushed',
      'the {item} is cracked as well',
      'on top of that it arrived damaged',
    ],
    kinds: ['damage', 'DAMAGED', 'broken', 'damaged_goods', 'breakage'],
  },
  missing: {
    core: {
      partial: [
        'only {n} of {m} items were in the box',
        'box arrived but the {item} was not inside',
        'package was empty when opened',
        'the {item} is missing from the delivery, rest of the order is there',
        'customer received the order without the {item}',
        'parcel arrived short, {item} not included',
        'one item missing from the shipment',
        'the set came without the {item}',
      ],
      not_received: [
        'tracking says delivered but customer never received it',
        'marked as delivered by {carrier}, nothing at the door',
        'shows delivered yesterday but no parcel anywhere, neighbours checked',
        'proof of delivery signature is not the customer',
        'delivery scan at {hub} says handed over, customer has nothing',
        'parcel marked delivered to a safe place, not there',
      ],
    },
    clause: [
      'and one item was missing',
      'plus the {item} was not in the box',
      'also the {item} never came',
    ],
    kinds: ['missing', 'MISSING_ITEM', 'not_received', 'lost', 'incomplete'],
  },
  delay: {
    core: {
      any: [
        'parcel stuck in transit at {hub} for {days} days',
        'no tracking update for {days} days',
        'delivery postponed again by {carrier}, now {days} days overdue',
        'missed the promised delivery date, customer still waiting',
        'shipment delayed at the sorting centre for {days} days',
        'still not delivered, it is {days} days past the promised date',
        'order has not arrived yet, promised {days} days ago',
        'customer is still waiting for the parcel, no movement since {hub}',
        'the delivery is running {days} days behind',
        'carrier reports a backlog, parcel held at {hub}',
        'where is my order? it should have been here {days} days ago',
        'tracking has not moved since it left {hub}',
        'parcel seems lost, last scan {days} days ago',
      ],
    },
    clause: [
      'and it arrived {days} days late',
      'it also came well after the promised date',
      'delivery took {days} days longer than promised',
      'the parcel has been stuck for days too',
    ],
    kinds: ['delay', 'late', 'LATE_DELIVERY', 'transit_delay', 'lost'],
  },
  address: {
    core: {
      incomplete: [
        'address incomplete, no house number',
        'courier could not find the street, postcode does not match',
        'flat number missing, driver could not deliver',
        'address line 2 blank, building has many units',
        'recipient unknown at the given address',
        'street name misspelled, address cannot be resolved',
        'delivery failed: address not found',
        'postal code invalid for {city}',
      ],
      returned: [
        'parcel returned to sender, undeliverable as addressed',
        '{carrier} sent it back: recipient moved, no forwarding address',
        'return to sender after three failed attempts, address incorrect',
        'undeliverable, returned to our warehouse with an address label',
      ],
    },
    clause: [
      'the address also seems wrong',
      'and the house number was missing',
      'driver said the address could not be found',
    ],
    kinds: ['address', 'ADDRESS_ERROR', 'wrong_address', 'undeliverable'],
  },
  stockout: {
    core: {
      any: [
        'warehouse cannot pick the order, {item} out of stock',
        'only {n} units of the {item} left, order needs {m}',
        '{item} is backordered, supplier delivery expected next month',
        'stock count shows zero for the {item}',
        'pick failed: bin empty for the {item}',
        'inventory mismatch, system says in stock but shelf is empty',
        'the {item} is sold out, cannot fulfil the order',
        'low stock alert on the {item}, several open orders waiting',
      ],
    },
    clause: [
      'and the {item} is out of stock',
      'the replacement is backordered too',
      'warehouse has none left of the {item}',
    ],
    kinds: ['stock', 'OUT_OF_STOCK', 'backorder', 'inventory'],
  },
  payment: {
    core: {
      overcharged: [
        'customer was charged twice for the same order',
        'amount captured is higher than the order total',
        'voucher not applied, customer paid {amount} too much',
        'double charge on the card, customer sent a bank statement',
        'cash on delivery collected more than the invoice',
      ],
      short: [
        'cash on delivery amount short by {amount}',
        'payment received does not match the invoice, {amount} missing',
        'bank transfer came in below the order total',
        'card authorisation expired before capture, order unpaid',
        'customer opened a chargeback with the bank',
      ],
    },
    clause: [
      'and the payment amount does not match',
      'also the customer was charged twice',
      'there is a payment discrepancy too',
    ],
    kinds: ['payment', 'BILLING', 'charge', 'cod_mismatch'],
  },
  request: {
    core: {
      cancel: [
        'customer wants to cancel the order',
        'please cancel, customer no longer needs it',
        'customer asked us to stop the shipment and cancel',
        'cancellation requested by phone',
      ],
      redirect: [
        'customer asks to deliver to a different address',
        'please redirect the parcel to the office in {city}',
        'customer moved and wants the order sent to the new flat',
        'change of delivery address requested before dispatch',
      ],
      reschedule: [
        'customer asks to deliver next week instead, on holiday',
        'please hold the parcel at the depot until Monday',
        'customer wants a delivery slot after 5pm',
        'reschedule the delivery, nobody home on Friday',
      ],
      other: [
        'customer asks for the invoice to be reissued with the company name',
        'customer wants gift wrapping added',
        'customer asks whether the {item} can be swapped for another colour',
        'request to add a note for the driver',
      ],
    },
    clause: [
      'and the customer now wants to cancel',
      'customer also asks to change the delivery day',
      'customer requests a call back',
    ],
    kinds: ['request', 'CUSTOMER_REQUEST', 'change', 'inquiry'],
  },
  vague: {
    core: {
      any: [
        'customer called about the order, unclear what the issue is',
        'label printed twice, second one voided',
        'scan error at {hub}, parcel rescanned fine',
        'system migration re-sent the tracking event',
        'parcel rerouted through {hub} for network balancing',
        'duplicate exception raised by the integration',
        'customer left a voicemail, could not reach them back',
        'status code 99 received from {carrier} without details',
      ],
    },
    clause: ['there was also a scan glitch'],
    kinds: ['other', 'misc', 'UNKNOWN', 'info'],
  },
};

/** Negated mentions of other problems: the words appear, the problem does not. */
export const DISTRACTORS: readonly string[] = [
  'packaging looked fine from the outside',
  'no damage visible on the box',
  'address was confirmed with the customer',
  'payment went through without issues',
  'everything else was on time',
  'stock is not a concern here',
  'nothing is missing as far as we know',
  'the customer does not want to cancel',
];

/** Neutral clauses that real tickets are full of. */
export const FILLERS: readonly string[] = [
  'ticket {ticket}',
  'carrier is {carrier}',
  'tracking {tracking}',
  'customer has ordered from us before',
  'order was placed during the sale',
  'see attached photos',
  'case opened via chat',
  'customer prefers email',
  'left a voicemail earlier',
  'reference {ticket} in the carrier portal',
];

export const OPENERS: readonly string[] = [
  'hi team,',
  'customer called:',
  'URGENT:',
  'fyi',
  'via {carrier} feed:',
  'warehouse note:',
  'auto-generated:',
];

export const CLOSERS: readonly string[] = [
  'please advise',
  'thanks',
  'customer is upset',
  'pls check asap',
  'waiting for instructions',
];

export const REFUND_WISHES: readonly string[] = [
  'customer wants a refund',
  'customer asks for the money back',
  'would rather have a refund than a replacement',
  'refund requested',
];

export const REPEAT_MARKERS: readonly string[] = [
  'this is the second time this happened',
  'third complaint from this customer this month',
  'same problem as the previous order',
  'happened again with this customer',
];

export const CARRIERS = [
  'DHL',
  'UPS',
  'FedEx',
  'DPD',
  'GLS',
  'PostNL',
  'Royal Mail',
  'Hermes',
  'Colissimo',
  'USPS',
] as const;

export const HUBS = ['Leipzig hub', 'the Venlo depot', 'Heathrow', 'Lyon', 'Memphis', 'Kassel'];
export const CITIES = ['Berlin', 'Rotterdam', 'Lyon', 'Manchester', 'Vienna', 'Milan', 'Austin'];
export const ITEMS = [
  'lamp',
  'phone',
  'vase',
  'laptop',
  'mirror',
  'coffee machine',
  'jacket',
  'charger',
  'headphones',
  'shoes',
  'monitor',
  'teapot',
];

/** Everything a description is written from, so another register can replace it whole. */
export interface ExceptionVocabulary {
  phrases: Record<Scenario, PhraseBank>;
  openers: readonly string[];
  distractors: readonly string[];
  fillers: readonly string[];
  closers: readonly string[];
  refundWishes: readonly string[];
  repeatMarkers: readonly string[];
  items: readonly string[];
  /** Share of reports with the reporter's kind filled in. */
  kindShare: number;
}

export const EXCEPTION_VOCABULARY: ExceptionVocabulary = {
  phrases: EXCEPTION_PHRASES,
  openers: OPENERS,
  distractors: DISTRACTORS,
  fillers: FILLERS,
  closers: CLOSERS,
  refundWishes: REFUND_WISHES,
  repeatMarkers: REPEAT_MARKERS,
  items: ITEMS,
  kindShare: 0.7,
};
