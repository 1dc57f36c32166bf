// English conversations, written the way buyers write: lower case, typos, "the drawing one", "just
// now", several things at once. The policy reasons follow the same reading as zh.ts (see its header).
import { days, did, guideFailed, guideSolved, hours, minutes, order, refunded, refused, watched, type Conversation } from './spec.ts';

const history = {
  oldBrand: order('brand', days(50), { usage: [did('file.downloaded')] }),
  oldMelody: order('melody', days(90), { usage: [did('membership.activated')] }),
};

const enBuyer = (name: string, accountAgeDays: number, orders: Conversation['buyer']['orders']): Conversation['buyer'] => ({
  name,
  locale: 'en',
  accountAgeDays,
  orders,
});

export const EN: Conversation[] = [
  // ---------------------------------------------------------------- the article's scenarios
  {
    id: 'en-m21-impulse',
    lang: 'en',
    covers: ['M21'],
    buyer: enBuyer('Alice', 120, { ppt: order('ppt', minutes(12)), ...history }),
    opening: ['just bought the powerpoint course on impulse, dont want it anymore'],
    persona: {
      style: 'typing',
      goals: [{ order: 'ppt', words: ['the PPT course'], reason: { code: 'changed_mind', words: ['bought it on impulse'] } }],
    },
    expect: { orders: { ppt: refunded('changed_mind') }, handoffs: [] },
    ideal: 1,
    why: 'M21/M1: 12 minutes after payment: approved and refunded at once, no person.',
  },
  {
    id: 'en-m22-not-what-expected',
    lang: 'en',
    covers: ['M22', 'order by name'],
    buyer: enBuyer('Ben', 200, {
      python: order('python', hours(2), { usage: [watched(0.2)] }),
      procreate: order('procreate', days(6), { usage: [watched(0.7)] }),
      ...history,
    }),
    opening: ["the python course isn't what I expected, I'd like a refund"],
    persona: {
      style: 'typing',
      goals: [{ order: 'python', words: ['the python one'], reason: { code: 'unsatisfied', words: ["it isn't what I expected"] } }],
    },
    expect: { orders: { python: refused('unsatisfied') }, handoffs: ['appeal'] },
    ideal: 1,
    why: 'M22: 2 h, 20 % watched > 10 %: self-service refused, a ticket opened at once.',
  },
  {
    id: 'en-m23-videos-wont-play',
    lang: 'en',
    covers: ['M23', 'free text after a guide: not solved'],
    buyer: enBuyer('Chloe', 75, { python: order('python', days(3)), xmind: order('xmind', days(1) + hours(4)), ...history }),
    opening: ["the videos in the python course won't play, just a spinning wheel"],
    persona: {
      style: 'typing',
      goals: [
        {
          order: 'python',
          words: ['python course'],
          reason: { code: 'cannot_use', words: ["videos won't play"] },
          afterGuide: 'unsolved',
          guideWords: ['tried all of that, still not working', 'nope, still spinning'],
        },
      ],
    },
    expect: { orders: { python: guideFailed }, handoffs: ['technical'] },
    ideal: 2,
    why: 'M23/M10: videos that won\'t play are a technical problem: a guide first; "still not working" in words → technical support.',
  },

  // ---------------------------------------------------------------- orders from words
  {
    id: 'en-order-photography-bundle',
    lang: 'en',
    covers: ['order by fuzzy title'],
    buyer: enBuyer('Dan', 60, {
      photoBundle: order('photoBundle', hours(3)),
      melody: order('melody', days(4), { usage: [did('membership.activated')] }),
      ...history,
    }),
    opening: ['the photography bundle - bought it by accident, can i get my money back'],
    persona: {
      style: 'typing',
      goals: [
        { order: 'photoBundle', words: ['the photography bundle'], reason: { code: 'changed_mind', words: ['bought it by accident'] } },
      ],
    },
    expect: { orders: { photoBundle: refunded('changed_mind') }, handoffs: [] },
    ideal: 1,
    why: 'M2: 3 h, unwatched: approved. "the photography bundle" is part of one product\'s title.',
  },
  {
    id: 'en-order-yesterday-procreate',
    lang: 'en',
    covers: ['time word yesterday', 'order by name'],
    buyer: enBuyer('Emma', 95, {
      procreate: order('procreate', hours(20)),
      python: order('python', days(8), { usage: [watched(0.5)] }),
      ...history,
    }),
    opening: ["yesterday's order, the procreate course - want to return it, it's not for me"],
    persona: {
      style: 'typing',
      goals: [{ order: 'procreate', words: ['the procreate one'], reason: { code: 'changed_mind', words: ["it's not for me"] } }],
    },
    expect: { orders: { procreate: refunded(['changed_mind', 'unsatisfied']) }, handoffs: [] },
    ideal: 1,
    why: 'M2: 20 h, unwatched: approved ("not for me" may be read as a changed mind or as unsatisfied).',
  },
  {
    id: 'en-order-several-courses',
    lang: 'en',
    covers: ['order by category, several matches'],
    buyer: enBuyer('Finn', 130, {
      python: order('python', hours(4), { usage: [watched(0.03)] }),
      procreate: order('procreate', hours(6)),
      xmind: order('xmind', days(15), { usage: [did('key.activated')] }),
      ...history,
    }),
    opening: ["refund my course please, it's really not good"],
    persona: {
      style: 'buttons',
      goals: [{ order: 'procreate', words: ['the drawing one'], reason: { code: 'unsatisfied', words: ["it's not good"] } }],
    },
    expect: { orders: { procreate: refunded('unsatisfied') }, handoffs: [] },
    ideal: 2,
    why: 'M2: the Procreate course, 6 h, unwatched: approved. Two courses match: the bot offers those, the buyer picks one.',
  },
  {
    id: 'en-order-just-now-key',
    lang: 'en',
    covers: ['time word just now', 'product noun "key" is not a problem'],
    buyer: enBuyer('Grace', 40, {
      xmind: order('xmind', minutes(4)),
      python: order('python', days(5), { usage: [watched(0.6)] }),
      ...history,
    }),
    opening: ['I bought a key just now by mistake, I meant to get the monthly plan'],
    persona: {
      style: 'typing',
      goals: [{ order: 'xmind', words: ['the xmind key'], reason: { code: 'changed_mind', words: ['bought it by mistake'] } }],
    },
    expect: { orders: { xmind: refunded('changed_mind') }, handoffs: [] },
    ideal: 1,
    why: 'M1: 4 minutes, key never revealed: approved. "key" is the product, not a fault.',
  },
  {
    id: 'en-order-none-matches',
    lang: 'en',
    covers: ['order by name, none matches'],
    buyer: enBuyer('Hugo', 85, { brand: order('brand', hours(5)), procreate: order('procreate', days(3), { usage: [watched(0.5)] }) }),
    opening: ['i want to refund the excel course, wrong purchase'],
    persona: {
      style: 'buttons',
      goals: [
        {
          order: 'brand',
          words: ['oh sorry, I meant the brand template pack'],
          reason: { code: 'changed_mind', words: ['wrong purchase'] },
        },
      ],
    },
    expect: { orders: { brand: refunded('changed_mind') }, handoffs: [] },
    ideal: 2,
    why: 'The buyer owns no Excel course: the bot says so and offers the list; the buyer picks the template pack (5 h, not downloaded: M2 approves).',
  },

  // ---------------------------------------------------------------- the reason across turns
  {
    id: 'en-reason-kept-drawing-one',
    lang: 'en',
    covers: ['reason given once, kept across turns'],
    buyer: enBuyer('Isla', 150, {
      procreate: order('procreate', hours(5)),
      melody: order('melody', days(10), { usage: [did('membership.activated')] }),
      xmind: order('xmind', days(2), { usage: [did('key.activated')] }),
    }),
    opening: ['ordered it by accident'],
    persona: {
      style: 'typing',
      goals: [
        {
          order: 'procreate',
          words: ['the drawing one', 'the procreate drawing course'],
          reason: { code: 'changed_mind', words: ['ordered it by accident'] },
        },
      ],
    },
    expect: { orders: { procreate: refunded('changed_mind') }, handoffs: [] },
    ideal: 2,
    why: 'M2: 5 h, unwatched: approved. The reason said first is stored; naming the order next does not replace it.',
  },
  {
    id: 'en-changed-mind-video-noun',
    lang: 'en',
    covers: ['changed mind with "video" must not become a guide'],
    buyer: enBuyer('Jack', 66, { python: order('python', hours(4)), ...history }),
    opening: ['I already own this video course from another site, bought it again by mistake. refund pls'],
    persona: {
      style: 'typing',
      goals: [
        { order: 'python', words: ['the python video course'], reason: { code: 'changed_mind', words: ['bought it again by mistake'] } },
      ],
    },
    expect: { orders: { python: refunded('changed_mind') }, handoffs: [] },
    ideal: 1,
    why: 'M2: 4 h, unwatched: approved. A duplicate purchase is a changed mind; "video course" is the product.',
  },
  {
    id: 'en-reason-then-key-noun',
    lang: 'en',
    covers: ['reason kept across turns', 'product noun "key" is not a problem'],
    buyer: enBuyer('Kate', 210, {
      xmind: order('xmind', hours(1)),
      photoBundle: order('photoBundle', days(9), { usage: [watched(0.8)] }),
      ...history,
    }),
    opening: ['wrong item, can I get a refund?'],
    persona: {
      style: 'typing',
      goals: [{ order: 'xmind', words: ['the licence key'], reason: { code: 'changed_mind', words: ['wrong item'] } }],
    },
    expect: { orders: { xmind: refunded('changed_mind') }, handoffs: [] },
    ideal: 2,
    why: 'M2: a key 1 h old, never revealed: approved. Naming it "the licence key" neither erases the reason nor makes it a guide.',
  },

  // ---------------------------------------------------------------- guides
  {
    id: 'en-guide-typed-solved',
    lang: 'en',
    covers: ['free text after a guide: solved'],
    buyer: enBuyer('Liam', 170, {
      melody: order('melody', days(2), { usage: [did('membership.activated')] }),
      python: order('python', days(12), { usage: [watched(0.9)] }),
    }),
    opening: ["my melody+ membership won't activate, keeps saying error 403"],
    persona: {
      style: 'typing',
      goals: [
        {
          order: 'melody',
          words: ['the melody membership'],
          reason: { code: 'cannot_use', words: ['error 403'] },
          afterGuide: 'solved',
          guideWords: ['ok it works now, thanks!'],
        },
      ],
    },
    expect: { orders: { melody: guideSolved }, handoffs: [] },
    ideal: 2,
    why: 'M10/M23: an activation error is a technical problem: a guide; "it works now" means solved: closed with no refund.',
  },
  {
    id: 'en-guide-buttons-unsolved',
    lang: 'en',
    covers: ['M23', 'guide by buttons'],
    buyer: enBuyer('Mia', 45, { photoBundle: order('photoBundle', days(4), { usage: [watched(0.1)] }), ...history }),
    opening: ['the photography videos keep buffering and then show a black screen'],
    persona: {
      style: 'buttons',
      goals: [
        {
          order: 'photoBundle',
          words: ['photography bundle'],
          reason: { code: 'cannot_use', words: ['black screen'] },
          afterGuide: 'unsolved',
        },
      ],
    },
    expect: { orders: { photoBundle: guideFailed }, handoffs: ['technical'] },
    ideal: 2,
    why: 'M23: a black screen is a technical problem: a guide; "still not working" → technical support.',
  },

  // ---------------------------------------------------------------- withdrawing
  {
    id: 'en-withdraw-mid-flow',
    lang: 'en',
    covers: ['withdrawing mid-flow'],
    buyer: enBuyer('Noah', 80, { brand: order('brand', hours(3)), python: order('python', days(6), { usage: [watched(0.4)] }) }),
    opening: ['I want a refund for the brand template pack'],
    persona: {
      style: 'typing',
      goals: [{ order: 'brand', words: ['the brand pack'] }],
      beats: [{ when: 'any', say: "actually never mind, I'll keep it" }],
    },
    expect: { orders: { brand: 'none' }, handoffs: [], settled: true },
    ideal: 2,
    why: 'The buyer changes their mind before anything was decided: nothing requested, nothing refunded.',
  },

  // ---------------------------------------------------------------- language, gibberish, plain requests
  {
    id: 'en-one-word-refund',
    lang: 'en',
    covers: ['one-word request "refund"', 'buttons'],
    buyer: enBuyer('Olivia', 100, {
      brand: order('brand', minutes(30)),
      python: order('python', days(3), { usage: [watched(0.5)] }),
      ...history,
    }),
    opening: ['refund'],
    persona: {
      style: 'buttons',
      goals: [{ order: 'brand', words: ['the brand template pack'], reason: { code: 'changed_mind', words: ['bought by mistake'] } }],
    },
    expect: { orders: { brand: refunded('changed_mind') }, handoffs: [] },
    ideal: 3,
    why: 'M2: a template 30 min old, not downloaded: approved. "refund" alone is a refund request: order, then reason.',
  },
  {
    id: 'en-gibberish-then-request',
    lang: 'en',
    covers: ['gibberish'],
    buyer: enBuyer('Paul', 30, {
      xmind: order('xmind', minutes(7)),
      procreate: order('procreate', days(4), { usage: [watched(0.6)] }),
      ...history,
    }),
    opening: ['jjjjjjjj', 'sorry, cat on the keyboard. I want to return the XMind key I bought just now, wrong product'],
    persona: {
      style: 'typing',
      goals: [{ order: 'xmind', words: ['the xmind key'], reason: { code: 'changed_mind', words: ['wrong product'] } }],
    },
    expect: { orders: { xmind: refunded('changed_mind') }, handoffs: [] },
    ideal: 2,
    why: 'M1: 7 minutes, never revealed: approved. Gibberish gets an English answer, not the welcome again.',
  },
  {
    id: 'en-mixed-with-chinese',
    lang: 'en',
    covers: ['mixed languages'],
    buyer: enBuyer('Quinn', 55, {
      python: order('python', hours(20)),
      brand: order('brand', days(7), { usage: [did('file.downloaded')] }),
    }),
    opening: ['refund the python course pls, 买错了 sorry'],
    persona: {
      style: 'typing',
      goals: [{ order: 'python', words: ['python course'], reason: { code: 'changed_mind', words: ['bought it by mistake'] } }],
    },
    expect: { orders: { python: refunded('changed_mind') }, handoffs: [] },
    ideal: 1,
    why: 'M2: 20 h, unwatched: approved. A mostly English message with a Chinese aside keeps the English conversation in English.',
  },
  {
    id: 'en-zh-account-writes-english',
    lang: 'en',
    covers: ['conversation language from the messages, not only the account'],
    buyer: {
      name: '王凯文',
      locale: 'zh',
      accountAgeDays: 70,
      orders: { photoBundle: order('photoBundle', hours(1)), excel: order('excel', days(5), { usage: [watched(0.5)] }) },
    },
    opening: ['Hi, I bought the photography bundle by mistake, can I get a refund?'],
    persona: {
      style: 'typing',
      goals: [{ order: 'photoBundle', words: ['the photography bundle'], reason: { code: 'changed_mind', words: ['by mistake'] } }],
    },
    expect: { orders: { photoBundle: refunded('changed_mind') }, handoffs: [] },
    ideal: 1,
    why: "M2: 1 h, unwatched: approved. A clearly English message switches a Chinese account's chat to English (issue 18, conversation language).",
  },
  {
    id: 'en-typos',
    lang: 'en',
    covers: ['typos'],
    buyer: enBuyer('Ruby', 90, {
      python: order('python', hours(2)),
      melody: order('melody', days(9), { usage: [did('membership.activated')] }),
    }),
    opening: ['i want a refnud for the pyhton course, boght it by mistake'],
    persona: {
      style: 'typing',
      goals: [{ order: 'python', words: ['python'], reason: { code: 'changed_mind', words: ['bought it by mistake'] } }],
    },
    expect: { orders: { python: refunded('changed_mind') }, handoffs: [] },
    ideal: 1,
    why: 'M2: 2 h, unwatched: approved, typos and all.',
  },
  {
    id: 'en-order-cancel',
    lang: 'en',
    covers: ['"cancel my order" means a refund'],
    buyer: enBuyer('Sam', 35, { brand: order('brand', minutes(11)), python: order('python', days(4), { usage: [watched(0.7)] }) }),
    opening: ['cancel my order for the brand template pack, wrong one'],
    persona: {
      style: 'typing',
      confirm: true,
      goals: [{ order: 'brand', words: ['the brand template pack'], reason: { code: 'changed_mind', words: ['wrong one'] } }],
    },
    expect: { orders: { brand: refunded('changed_mind') }, handoffs: [] },
    ideal: 2,
    why: 'A delivered good cannot be cancelled: the bot offers a refund and the buyer says yes. M1: 11 minutes: approved.',
  },

  // ---------------------------------------------------------------- several intents
  {
    id: 'en-two-intents-refund-and-fault',
    lang: 'en',
    covers: ['several intents in one message'],
    buyer: enBuyer('Tara', 140, {
      brand: order('brand', hours(2)),
      melody: order('melody', days(3), { usage: [did('membership.activated')] }),
      ...{ oldBrand: history.oldBrand },
    }),
    opening: ['please refund the brand template pack, wrong purchase. also my melody+ membership keeps crashing when I log in'],
    persona: {
      style: 'typing',
      goals: [
        {
          order: 'brand',
          words: ['the brand template pack'],
          reason: { code: 'changed_mind', words: ['wrong purchase'] },
          rephrase: ['can you refund the brand template pack? wrong purchase'],
        },
        {
          order: 'melody',
          words: ['melody+ membership'],
          reason: { code: 'cannot_use', words: ['it keeps crashing when I log in'] },
          afterGuide: 'unsolved',
          guideWords: ['still crashing'],
          rephrase: ['and the melody+ membership still crashes when I log in'],
        },
      ],
    },
    expect: { orders: { brand: refunded('changed_mind'), melody: guideFailed }, handoffs: ['technical'] },
    ideal: 2,
    why: 'Two things: the template pack (2 h, not downloaded: M2 approves; the old pack from 50 days ago is another order) and a crashing membership (M10: a guide; not solved → technical support).',
  },

  // ---------------------------------------------------------------- questions
  {
    id: 'en-policy-named-product',
    lang: 'en',
    covers: ['policy question for a named product'],
    buyer: enBuyer('Uma', 60, { python: order('python', hours(6)), ...history }),
    opening: ["thinking of buying the XMind licence key - can I get a refund if I don't like it?"],
    persona: { style: 'typing', goals: [], rephrase: ["I mean the refund rules for the XMind key, I haven't bought it yet"] },
    expect: { orders: {}, handoffs: [], answer: { mentions: ['XMind'], notMentions: ['Python'] } },
    ideal: 1,
    why: "M7: the rules of the product asked about (the XMind key), not of the buyer's latest order.",
  },
  {
    id: 'en-policy-own-order-watched',
    lang: 'en',
    covers: ["policy question for the buyer's own order"],
    buyer: enBuyer('Victor', 110, { python: order('python', hours(3), { usage: [watched(0.15)] }), ...history }),
    opening: ["I've watched about 15% of the python course, can I still get a refund?"],
    persona: { style: 'typing', goals: [], rephrase: ['so can I still get a refund on my python course or not?'] },
    expect: { orders: {}, handoffs: [], answer: { mentions: ['Python', /15\s*%/] } },
    ideal: 1,
    why: 'M2/M7: an answer for this order: 3 h, 15 % watched, above the 10 % condition; a question is not a request.',
  },
  {
    id: 'en-status-refunded-card',
    lang: 'en',
    covers: ['status question'],
    buyer: enBuyer('Wendy', 75, {
      python: order('python', hours(21), { method: 'card', before: 'refunded' }),
      procreate: order('procreate', days(5), { usage: [watched(0.4)] }),
      ...history,
    }),
    opening: ["where's my refund?"],
    persona: { style: 'typing', goals: [], rephrase: ['when will the python course refund reach me?'] },
    expect: { orders: {}, handoffs: [], answer: { mentions: ['Python', /259(\.00)?/, 'card'] } },
    ideal: 1,
    why: 'Issue 18: the status names the product, the amount and the route (back to the card), in English punctuation, without internal ids.',
  },
  {
    id: 'en-person',
    lang: 'en',
    covers: ['asking for a person'],
    buyer: enBuyer('Xavier', 250, { melody: order('melody', days(15), { usage: [did('membership.activated')] }), ...history }),
    opening: ['can i talk to a human please'],
    persona: { style: 'typing', goals: [], rephrase: ['a real person please'] },
    expect: { orders: {}, handoffs: ['buyer_request'] },
    ideal: 1,
    why: 'M16: a buyer who asks for a person gets one.',
  },

  // ---------------------------------------------------------------- issue 17's boundaries
  {
    id: 'en-first-purchase-over-100-at-5-min',
    lang: 'en',
    covers: ['first purchase above ¥100 at 5 minutes (issue 17)'],
    buyer: enBuyer('Yara', 2, { melody: order('melody', minutes(5)) }),
    opening: ['just bought melody+ premium, changed my mind. refund?'],
    persona: {
      style: 'typing',
      goals: [{ order: 'melody', words: ['melody+'], reason: { code: 'changed_mind', words: ['changed my mind'] } }],
    },
    expect: { orders: { melody: refunded('changed_mind') }, handoffs: [] },
    ideal: 1,
    why: "Issue 17/M1: a 2-day-old account's first purchase, ¥158, 5 minutes after payment: the cooling-off window is unconditional: approved.",
  },
  {
    id: 'en-expired-appeal-taken',
    lang: 'en',
    covers: ['expired order (M3): appeal offered and taken'],
    buyer: enBuyer('Zoe', 120, {
      photoBundle: order('photoBundle', days(4)),
      xmind: order('xmind', days(12), { usage: [did('key.activated')] }),
      ...history,
    }),
    opening: ["I bought the photography bundle a few days ago and never had time to start it, I'd like a refund"],
    persona: {
      style: 'typing',
      goals: [
        {
          order: 'photoBundle',
          words: ['photography bundle'],
          reason: { code: 'changed_mind', words: ['never had time for it'] },
          appeal: true,
          appealWords: ["yes, I'd like to appeal please"],
        },
      ],
    },
    expect: { orders: { photoBundle: refused(['changed_mind', 'other']) }, handoffs: ['appeal'] },
    ideal: 2,
    why: 'M3 (issue 17): 4 days, past 24 h: refused with the appeal offered; the buyer asks to appeal, and then a ticket opens.',
  },
  {
    id: 'en-locked-key-copied-inside-15-min',
    lang: 'en',
    covers: ['locked order: key copied'],
    buyer: enBuyer('Aaron', 88, { xmind: order('xmind', minutes(10), { usage: [did('key.revealed'), did('key.copied')] }), ...history }),
    opening: ["I copied the key but haven't used it, bought the wrong edition. refund?"],
    persona: {
      style: 'typing',
      goals: [{ order: 'xmind', words: ['the xmind key'], reason: { code: 'changed_mind', words: ['wrong edition'] } }],
    },
    expect: { orders: { xmind: refused('changed_mind') }, handoffs: ['appeal'] },
    ideal: 1,
    why: 'Issue 17/M4: a copied key is a lock that stops even the 15-minute window: refused, a ticket at once.',
  },
  {
    id: 'en-locked-template-downloaded',
    lang: 'en',
    covers: ['locked order: template downloaded'],
    buyer: enBuyer('Bella', 64, {
      brand: order('brand', hours(2), { usage: [did('file.downloaded')] }),
      python: order('python', days(6), { usage: [watched(0.3)] }),
    }),
    opening: ["downloaded the brand template pack but it's nothing like the preview, want a refund"],
    persona: {
      style: 'typing',
      goals: [{ order: 'brand', words: ['brand template pack'], reason: { code: 'unsatisfied', words: ['nothing like the preview'] } }],
    },
    expect: { orders: { brand: refused('unsatisfied') }, handoffs: ['appeal'] },
    ideal: 1,
    why: 'M4: a downloaded template is kept by the buyer: refused, a ticket at once (inside 24 h, as M22).',
  },

  {
    id: 'en-two-misses-then-person',
    lang: 'en',
    covers: ['gibberish', 'after two misses a person'],
    buyer: enBuyer('Cora', 15, { python: order('python', days(2), { usage: [watched(0.5)] }), ...history }),
    opening: ['???', 'hmm ok ??'],
    persona: { style: 'buttons', goals: [], takesPerson: true, rephrase: ['...', 'ugh'] },
    expect: { orders: {}, handoffs: ['buyer_request'] },
    ideal: 3,
    why: 'Issue 18: after two messages it cannot read, the bot offers a person; the buyer takes it.',
  },
];
