// Everything the bot says that is not a decision's own explanation, in Chinese and English.
import type { Locale, PaymentMethod, ReasonCode } from '../domain/index.ts';
import type { TokenProblem } from './chat-tokens.ts';

type Text = { zh: string; en: string };
const T = <K extends string>(texts: Record<K, Text>) => texts;

export const TEXTS = T({
  welcome: {
    zh: '您好，我是退款助手 🙂 可以帮您申请退款、查询进度、撤回申请或转人工客服。请告诉我遇到了什么问题。',
    en: "Hi, I'm the refund assistant 🙂 I can help you ask for a refund, check on one, withdraw one, or reach a person. What's up?",
  },
  youreWelcome: { zh: '不客气！还有其他需要帮忙的吗？', en: "You're welcome! Anything else I can help with?" },
  notBound: {
    zh: '为了保护您的账户，请从店铺的“联系客服”入口打开对话（或在 Telegram 发送店铺给您的 /start 链接），我才能看到您的订单。',
    en: "To keep your account safe, please open this chat from the shop's 'Contact support' link (or the /start link the shop gave you for Telegram), so I can see your orders.",
  },
  chooseOrder: { zh: '请问是哪一笔订单？', en: 'Which order is it about?' },
  chooseOrderAgain: {
    zh: '还是确认一下，是下面哪一笔订单？也可以直接说商品名。',
    en: 'Just to be sure, which of these orders is it? You can also type the product name.',
  },
  chooseAmong: { zh: '您说的可能是下面几笔，是哪一笔？', en: 'That could be one of these. Which one is it?' },
  noneMatched: {
    zh: '没有找到您说的这笔订单。下面是您可以申请退款的订单：',
    en: "I couldn't find an order like that. These are the orders you can ask a refund for:",
  },
  noMoreOrders: {
    zh: '没有更早的订单了。如果是别的订单，请把订单号发给我。',
    en: 'There are no older orders. If it is another one, send me its order number.',
  },
  nothingActionable: {
    zh: '您的订单都已退款或正在处理中，可以查询进度或转人工。',
    en: 'All your orders are refunded or already being handled. You can check on them or ask for a person.',
  },
  chooseReasonShort: {
    zh: '方便说一下退款原因吗？选一个，或者直接告诉我。',
    en: 'What is the reason for the refund? Pick one or just tell me.',
  },
  reasonNoted: { zh: '好的，原因记下了。', en: 'Okay, noted the reason.' },
  flowDropped: {
    zh: '好的，不退了，订单保持不变。有需要随时找我。',
    en: "Okay, no refund then; your order stays as it is. I'm here if you need me.",
  },
  clarify: { zh: '我不太确定您的意思，您是想：', en: "I'm not sure I got that. Would you like to:" },
  missedTwice: {
    zh: '抱歉，我还是没能理解。已为您转接人工客服，工作人员会尽快在这里回复您。',
    en: "Sorry, I still couldn't follow. I've passed you to a person, who will reply here soon.",
  },
  guideAskAgain: {
    zh: '问题解决了吗？可以直接回复“好了”或“还是不行”。',
    en: "Is it working now? You can just say 'works now' or 'still not working'.",
  },
  otherPolicies: { zh: '其他商品的规则，告诉我商品名就可以。', en: 'For another product, just tell me its name.' },
  repeatPrefix: { zh: '再说一下：', en: 'To repeat: ' },
  noOrders: {
    zh: '没有找到您最近的订单。如果有订单号，请直接发给我。',
    en: "I couldn't find any recent orders. If you have an order number, just send it to me.",
  },
  orderNotYours: {
    zh: '没有找到这笔订单，或它不属于您的账户。请检查订单号。',
    en: "I couldn't find that order on your account. Please check the order number.",
  },
  chooseReason: {
    zh: '好的。方便说一下退款原因吗？选一个，或者直接告诉我。',
    en: 'Got it. What is the reason for the refund? Pick one or just tell me.',
  },
  guideIntro: { zh: '我们先试着帮您解决：', en: "Let's try to fix it first:" },
  guideAsk: { zh: '按上面的步骤操作后，问题解决了吗？', en: 'Did those steps solve it?' },
  guideSolved: {
    zh: '太好了！问题已解决，这笔订单不会退款，祝您使用愉快 🎉',
    en: 'Great, glad it works now! No refund was made and your order stays as it is 🎉',
  },
  guideUnsolved: {
    zh: '抱歉还没解决。已为您转给技术支持，他们会尽快联系您；如果确实无法使用，技术支持可以为您办理退款。',
    en: "Sorry it's still not working. I've passed it to technical support, who will contact you soon; if it really can't be fixed, they can refund you.",
  },
  handoffOpened: {
    zh: '已为您转接人工客服，工作人员会尽快在这里回复您（通常在 2 小时内）。',
    en: "I've passed you to a person. A member of our team will reply here soon (usually within 2 hours).",
  },
  okNoAppeal: {
    zh: '好的，那就不申诉了。如果之后改变主意，随时告诉我。',
    en: 'All right, no appeal. If you change your mind, just tell me.',
  },
  appealNotOffered: {
    zh: '这笔申请的情况已经有了变化，暂时不能再申诉。',
    en: 'This request has moved on since, so it can no longer be appealed.',
  },
  appealOpened: {
    zh: '您的情况已提交给人工客服复核，工作人员会尽快联系您。',
    en: 'Your case has been sent to a person for review; they will contact you soon.',
  },
  noRequest: { zh: '您目前没有进行中的退款申请。', en: "You don't have a refund request in progress." },
  cancelled: { zh: '好的，已为您撤回退款申请，订单保持不变。', en: 'Done: your refund request is withdrawn and the order stays as it is.' },
  cannotCancel: {
    zh: '这笔退款已经在处理或已完成，无法撤回。',
    en: 'That refund is already being paid or done, so it can no longer be withdrawn.',
  },
  orderCancel: {
    zh: '虚拟商品付款后即时交付，订单无法取消。如果您不想要了，可以申请退款。需要为您申请退款吗？',
    en: "Digital goods are delivered the moment you pay, so an order can't be cancelled. If you don't want it, you can ask for a refund. Shall I start one?",
  },
  okNoRefund: { zh: '好的，有需要随时找我。', en: "Okay, I'm here whenever you need me." },
  notUnderstood: {
    zh: '抱歉，我没太明白。您可以直接说“我要退款”“退款到哪了”“撤回退款”或“转人工”。',
    en: "Sorry, I didn't quite get that. You can say 'I want a refund', 'where is my refund', 'cancel my refund' or 'talk to a person'.",
  },
  alreadyOpen: { zh: '这笔订单已经有一个退款申请：', en: 'There is already a refund request for this order:' },
  alreadyRefunded: { zh: '这笔订单已经退款了。', en: 'This order has already been refunded.' },
  tooLong: { zh: '（消息太长，我只看了前面的部分。）', en: '(That was a long message; I read the first part.)' },
  agentJoined: {
    zh: '人工客服已接手您的问题，接下来会在这里直接回复您。',
    en: 'A member of our team has taken your case and will reply right here.',
  },
  backToBot: {
    zh: '人工客服已处理完毕，接下来由退款助手继续为您服务。还有什么需要帮忙的吗？',
    en: 'Our team member has finished; the refund assistant is back with you. Anything else I can help with?',
  },
  unreadable: { zh: '这条消息没能读取，请再发一次。', en: "I couldn't read that message; please send it again." },
  rateLimited: { zh: '消息有点多，请稍等几秒再发～', en: 'That is a lot of messages at once; give me a few seconds 🙂' },
  tooManyTabs: {
    zh: '这个对话已在太多窗口中打开。请关闭几个窗口，这里稍后会自动重新连接。',
    en: 'This chat is open in too many tabs or windows. Close a few of them; this one reconnects shortly.',
  },
  somethingWrong: {
    zh: '抱歉，系统开小差了，请稍后再试，或转人工客服。',
    en: 'Sorry, something went wrong on our side. Please try again shortly, or ask for a person.',
  },
});

export type TextKey = keyof typeof TEXTS;
export const say = (key: TextKey, locale: Locale) => TEXTS[key][locale];

/** Telegram's answers to /start <chat token>, by outcome. */
export const BIND_REPLIES: Record<'ok' | TokenProblem | 'missing', Text> = {
  ok: {
    zh: '已绑定您的账户 ✅ 需要退款、查询进度或找人工客服，直接给我发消息就好。',
    en: 'Your account is linked ✅ Just message me to ask for a refund, check on one, or reach a person.',
  },
  missing: {
    zh: '请从店铺的“联系客服”链接打开我，这样我才能看到您的订单。',
    en: "Please open me from the shop's 'Contact support' link so I can see your orders.",
  },
  malformed: {
    zh: '这个链接好像不完整，请回到店铺重新点击“联系客服”。',
    en: "That link looks incomplete. Please go back to the shop and tap 'Contact support' again.",
  },
  forged: {
    zh: '这个链接无法验证，请回到店铺重新点击“联系客服”。',
    en: "I couldn't verify that link. Please go back to the shop and tap 'Contact support' again.",
  },
  expired: {
    zh: '这个链接已过期，请回到店铺重新点击“联系客服”获取新链接。',
    en: "That link has expired. Please go back to the shop and tap 'Contact support' for a new one.",
  },
  used_elsewhere: {
    zh: '这个链接已在另一个对话中使用过，请回到店铺获取新链接。',
    en: 'That link was already used in another chat. Please get a new one from the shop.',
  },
};

/** The widget's answers when it cannot open a chat: the page's token or the stored session did not hold. */
export const WIDGET_OPEN_PROBLEMS: Record<TokenProblem | 'missing', Text> = {
  missing: { zh: '请先登录店铺，再打开在线客服。', en: 'Please sign in to the shop first, then open the chat.' },
  malformed: {
    zh: '无法验证这个聊天窗口，请刷新页面后重试。',
    en: "I couldn't verify this chat window. Please reload the page and try again.",
  },
  forged: {
    zh: '无法验证这个聊天窗口，请刷新页面后重试；如果仍然不行，请重新登录店铺。',
    en: "I couldn't verify this chat window. Please reload the page; if that doesn't help, sign in to the shop again.",
  },
  expired: { zh: '聊天窗口已过期，请刷新页面。', en: 'This chat window has expired. Please reload the page.' },
  used_elsewhere: { zh: '这个聊天窗口已在别处打开，请刷新页面。', en: 'This chat was opened somewhere else. Please reload the page.' },
};

export const BUTTONS = {
  reasons: {
    zh: [
      ['changed_mind', '买错了/不想要了'],
      ['unsatisfied', '内容不满意'],
      ['cannot_use', '无法使用'],
      ['other', '其他原因'],
    ],
    en: [
      ['changed_mind', 'Bought by mistake'],
      ['unsatisfied', 'Not satisfied'],
      ['cannot_use', "Can't use it"],
      ['other', 'Other reason'],
    ],
  } as Record<Locale, Array<[ReasonCode, string]>>,
  solved: { zh: '已解决', en: 'Solved' },
  unsolved: { zh: '还是不行', en: 'Still not working' },
  person: { zh: '转人工', en: 'Talk to a person' },
  startRefund: { zh: '申请退款', en: 'Ask for a refund' },
  policy: { zh: '退款规则', en: 'Refund rules' },
  moreOrders: { zh: '更多订单', en: 'More orders' },
  appeal: { zh: '申诉，转人工复核', en: 'Appeal to a person' },
  yesRefund: { zh: '申请退款', en: 'Yes, ask for a refund' },
  no: { zh: '不用了', en: 'No thanks' },
  status: { zh: '查询进度', en: 'Check status' },
  cancel: { zh: '撤回申请', en: 'Withdraw request' },
};

export const STATUS_WORDS: Record<string, Text> = {
  deciding: { zh: '处理中', en: 'being decided' },
  refunded: { zh: '已退款', en: 'refunded' },
  refund_pending: { zh: '退款中', en: 'being paid back' },
  rejected: { zh: '未通过自助退款（已转人工复核）', en: 'not approved for self-service (with a person for review)' },
  in_review: { zh: '人工审核中', en: 'with a person for review' },
  troubleshooting: { zh: '技术排查中', en: 'being troubleshot' },
  cancelled: { zh: '已撤回', en: 'withdrawn' },
  refund_failed: { zh: '退款失败，人工处理中', en: 'failed at the payment provider; a person is on it' },
};

/** Where a refund goes back (M20), and when it usually arrives there. */
export const ROUTES: Record<PaymentMethod, { name: Text; arrives: Text }> = {
  wechat: {
    name: { zh: '微信支付', en: 'WeChat Pay' },
    arrives: {
      zh: '通常几分钟内到账（退回零钱即时到账，退回银行卡需1–3个工作日）',
      en: 'it usually arrives within minutes (at once to your balance, 1–3 business days to a bank card)',
    },
  },
  alipay: {
    name: { zh: '支付宝', en: 'Alipay' },
    arrives: { zh: '通常几分钟内到账，最长1–3个工作日', en: 'it usually arrives within minutes, at most 1–3 business days' },
  },
  card: {
    name: { zh: '银行卡', en: 'bank card' },
    arrives: { zh: '通常3–7个工作日到账', en: 'it usually arrives within 3–7 business days' },
  },
  sandbox: {
    name: { zh: '原支付账户（测试）', en: 'original payment account (sandbox)' },
    arrives: { zh: '即时到账（测试支付）', en: 'it arrives at once (sandbox payment)' },
  },
};

/** A product title in a reply: as the shop wrote it in Chinese; without Chinese book-title marks in English. */
export const showTitle = (title: string, locale: Locale) => (locale === 'zh' ? title : title.replace(/[《》「」【】]/g, '').trim());

/** The SLA's word to a buyer still waiting for a person: a person is on it, and roughly when. */
export const waitingForPerson = (minutes: number): Text => ({
  zh: `感谢耐心等待，客服正在处理您的问题，预计${minutes}分钟内在这里回复您。`,
  en: `Thanks for waiting: our team is on it and will reply here within about ${minutes} minutes.`,
});

// ---------------------------------------------------------------------------------------------
// Satisfaction after a case (issue 22): asked once per case, in the buyer's language.

export type CaseOutcome = 'refunded' | 'refused' | 'guide_solved' | 'agent_resolved';

export const SATISFACTION_ASK: Record<CaseOutcome, Text> = {
  refunded: {
    zh: '您的退款已处理完成。请为这次服务打个分吧（1–5 分，5 分最满意），也可以在打分后补充一句意见。',
    en: 'Your refund is done. How would you rate our service, from 1 to 5 (5 is best)? You can add a comment after rating.',
  },
  refused: {
    zh: '您的退款申请已处理完毕。请为这次服务体验打个分吧（1–5 分，5 分最满意）。',
    en: 'Your refund request has been handled. How would you rate the service, from 1 to 5 (5 is best)?',
  },
  guide_solved: {
    zh: '问题解决了就好！这次的帮助对您有用吗？请打个分（1–5 分，5 分最满意）。',
    en: 'Glad it works now! How helpful were we, from 1 to 5 (5 is best)?',
  },
  agent_resolved: {
    zh: '客服已处理完您的问题。请为这次服务打个分吧（1–5 分，5 分最满意）。',
    en: 'Our team has finished with your case. How would you rate the service, from 1 to 5 (5 is best)?',
  },
};

export const SATISFACTION_TEXTS = T({
  ratingThanks: {
    zh: '谢谢您的评价！如果还想补充几句，直接发给我就好（可选）。',
    en: "Thanks for rating us! If you'd like to add a comment, just type it here (optional).",
  },
  ratingAlready: { zh: '这次服务您已经评过分了，谢谢！', en: "You've already rated this case. Thank you!" },
  ratingOutOfRange: { zh: '请选择 1 到 5 之间的分数。', en: 'Please pick a score from 1 to 5.' },
  ratingGone: { zh: '这次评价已经过期了，谢谢您！', en: 'That rating is no longer open. Thank you!' },
  ratingCommentThanks: { zh: '收到，谢谢您的反馈！我们会认真改进。', en: 'Got it, thanks for the feedback! We will use it to do better.' },
});

/** The five rating buttons: the same digits and stars in both languages. */
export const ratingButtons = (ratingId: string) =>
  [1, 2, 3, 4, 5].map((n) => ({ label: `${n} ${'★'.repeat(n)}`, action: `rate:${ratingId}:${n}` }));
