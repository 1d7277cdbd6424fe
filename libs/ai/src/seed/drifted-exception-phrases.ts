import type { ExceptionVocabulary } from './exception-phrases';

/**
 * The same scenarios in another register: customers typing into a chat app and a new
 * intake form, in words the seed set never uses. A model trained on the seed set has
 * only the structured fields to go on here, until it learns from corrections.
 */
export const DRIFTED_VOCABULARY: ExceptionVocabulary = {
  phrases: {
    damage: {
      core: {
        any: [
          'my {item} turned up totally wrecked',
          '{item} showed up in bits, gutted',
          'opened it and the {item} is busted, wont even switch on',
          'the {item} got mangled somewhere along the way',
          'screen on the {item} is all spiderwebbed',
          'whole thing rattles, the {item} fell apart inside',
          '{item} came bashed up, huge gouge down one side',
          'soggy mess, the {item} got drenched',
          'the {item} is knackered, dinged and warped',
          'unit DOA, casing split wide open',
        ],
      },
      clause: [
        'plus the {item} is wrecked',
        'and it showed up mangled',
        'oh and the {item} is busted too',
      ],
      kinds: ['wrecked', 'goods-harmed'],
    },
    missing: {
      core: {
        partial: [
          'got {n} out of the {m} things i paid for',
          'opened it up and no {item} in there',
          'came with everything except the {item}',
          'my {item} wasnt in it, just the rest',
          'the {item} never made it into the consignment',
          'short shipped, {item} absent',
          'bag came through without any {item}',
          'the kit lacks the {item}',
        ],
        not_received: [
          'courier says its dropped off, zero sign of it',
          'app says handed over near {hub} but i got nothing',
          'supposedly left on my porch, never saw it',
          'driver claims drop-off done, nobody here got anything',
          '{carrier} swears it arrived, it absolutely did not',
          'photo proof shows some random doorstep, not mine',
        ],
      },
      clause: ['and the {item} wasnt even in there', 'plus half my stuff never showed'],
      kinds: ['not-there', 'gone'],
    },
    delay: {
      core: {
        any: [
          'still waiting on my stuff, {days} days now',
          'where on earth is my {item}, been ages',
          'its been sat around {hub} forever',
          'been {days} days and nada',
          'thing is crawling, should have turned up {days} days back',
          'ETA keeps slipping, {carrier} keeps pushing it back',
          'zilch progress since {hub}',
          'hanging around {hub} {days} days',
          'supposed to be here last week, nothing yet',
          'taking forever, {days} days past what was quoted',
        ],
      },
      clause: [
        'and it took ages to turn up',
        'plus it dragged on {days} days',
        'which also rocked up way after the quoted day',
      ],
      kinds: ['slow', 'waiting'],
    },
    address: {
      core: {
        incomplete: [
          'driver couldnt work out which door is mine',
          'label only says the road, nothing more',
          'zip on file belongs to some other town',
          'house digits absent from the label',
          'the lane on the label doesnt exist round here',
          'nobody by that name lives here, per the driver',
          'drop point cant be located, {city} route',
          'building entry info blank so the driver gave up',
        ],
        returned: [
          'boomeranged back to us, nobody at that spot',
          '{carrier} bounced it back, person relocated',
          'came back to base after {n} tries, wrong spot on the label',
          'RTS, label info bogus',
        ],
      },
      clause: ['and the label details are bogus', 'driver couldnt locate the place either'],
      kinds: ['cant-find-place'],
    },
    stockout: {
      core: {
        any: [
          'we have run dry on the {item}',
          'shelves bare for the {item}, cant ship',
          'nothing left of the {item} on site',
          'vendor restock of the {item} is weeks off',
          'none of the {item} on hand',
          'tapped out on the {item}, {n} requested but none around',
          'the {item} sold through, none to grab',
          'ran out of the {item}, {n} open requests hanging',
        ],
      },
      clause: [
        'and we are tapped out on the {item}',
        'the swap unit isnt available either',
        'plus nothing left of the {item}',
      ],
      kinds: ['ran-out'],
    },
    payment: {
      core: {
        overcharged: [
          'my card got hit two times',
          'bank took {amount} more than checkout said',
          'promo code ignored, paid {amount} over',
          'billed twice for one purchase',
          'they pulled {amount} extra off my account',
        ],
        short: [
          'courier collected {amount} less than the bill',
          'transfer landed {amount} under what is owed',
          'preauth lapsed, nothing got collected',
          'buyer disputed the transaction with their card issuer',
          'shortfall of {amount} on the settlement',
        ],
      },
      clause: [
        'and the money side doesnt add up',
        'plus my card got hit twice',
        'on top of that the sum taken is off',
      ],
      kinds: ['money'],
    },
    request: {
      core: {
        cancel: [
          'scrap it, i dont want it anymore',
          'pls call the whole thing off',
          'buyer changed their mind, kill the purchase',
          'i want out of this purchase',
        ],
        redirect: [
          'send it to my workplace in {city} instead',
          'can it go to my mums house rather than mine',
          'i moved, ship to the new place pls',
          'switch the drop-off spot to my office',
        ],
        reschedule: [
          'away til next week, hang onto it till then',
          'can the drop come after 6 in the evening',
          'keep it at the pickup point till the weekend pls',
          'nobody in on thursday, swap the day',
        ],
        other: [
          'need a fresh receipt with the firm name on it',
          'can you wrap it as a present',
          'can i swap the {item} for the blue one',
          'tell the driver to ring twice',
        ],
      },
      clause: [
        'and now they want to call it off',
        'also wants a different drop day',
        'plus wants someone to ring them',
      ],
      kinds: ['ask'],
    },
    vague: {
      core: {
        any: [
          'someone rang about the purchase, no idea what they wanted',
          'weird ping from the {carrier} system, no info',
          'sticker reprinted, old one binned',
          'rescan near {hub}, all good now',
          'feed resent an old event after the upgrade',
          'double alert from the connector',
          'got a voice note, couldnt get hold of them',
          'odd status 42 from {carrier}, nothing else',
        ],
      },
      clause: ['also a glitchy rescan happened'],
      kinds: ['general'],
    },
  },
  openers: ['hey,', 'hiya', 'so basically', 'msg from chat:', 'ugh,', 'yo,'],
  distractors: [
    'outside of the package looked ok',
    'label details are right',
    'money side was fine',
    'it turned up on the day',
    'plenty on the shelves',
    'everything else is in there',
    'not calling it off',
  ],
  fillers: [
    'ref {ticket}',
    'went with {carrier}',
    'tracking no {tracking}',
    'bought loads off you before',
    'got it in the black friday thing',
    'pics attached',
    'came in through the app',
    'text me back',
    'tried ringing already',
  ],
  closers: ['sort it out pls', 'cheers', 'not impressed', 'asap ta', 'let me know'],
  refundWishes: [
    'just want my cash returned',
    'reimburse me pls',
    'id rather be paid back than get another',
  ],
  repeatMarkers: [
    'this keeps happening to me',
    'same thing last time too',
    'third time now, seriously',
    'yet another one of these on this account',
  ],
  items: [
    'gadget',
    'blender',
    'speaker',
    'kettle',
    'tablet',
    'hoodie',
    'sneakers',
    'console',
    'rug',
    'drone',
    'camera',
    'keyboard',
  ],
  // The new intake form hides the kind field behind a menu: few fill it in.
  kindShare: 0.15,
};
