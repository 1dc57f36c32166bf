// The embedded default's demo product page (M7, M25): the course 《PPT大师进阶课》 as a shop would show
// it, with its refund policy in plain words and the chat widget signed in as a demo buyer. It plays
// the shop's part: it asks the desk for the buyer's chat token and puts it in the widget's tag. The
// policy is renderPolicy()'s, rule by rule, with the version the desk enforces: what the page
// promises is what decide() does (test/unit/policy/rendered-promises.test.ts).
import type { Locale } from '../domain/index.ts';
import type { RenderedPolicy } from '../policy/index.ts';
import { formatMoney } from '../domain/index.ts';
import { escapeHtml as esc } from '../html.ts';
import { timeAgo } from '../domain/index.ts';

export interface DemoPageData {
  locale: Locale;
  product: { id: string; title: string; priceMinor: number; currency: string };
  policy: RenderedPolicy;
  buyer: { id: string; name: string };
  /** The other demo buyer one can switch to (the other language). */
  other: { as: string; name: string };
  orders: Array<{ id: string; paidAt: Date; status: string | null }>;
  chatToken: string;
}

const WORDS = {
  zh: {
    shop: '演示店铺',
    signedIn: '当前登录买家',
    switchTo: '切换到',
    buy: '立即购买',
    policy: '退款政策',
    orders: '我的订单',
    enforced: '以上规则即退款助手执行的规则，版本',
    fresh: '再下一组演示订单',
    freshWhy: '演示场景的订单会“变老”：M21 需要 15 分钟内的订单。点这里生成一组新的。',
    chatHint: '右下角的蓝色气泡是退款助手：试试说“刚买的，冲动消费了，不想要了”。',
    noRequest: '未申请退款',
    course: '在线课程',
  },
  en: {
    shop: 'Demo shop',
    signedIn: 'Signed in as',
    switchTo: 'Switch to',
    buy: 'Buy now',
    policy: 'Refund policy',
    orders: 'My orders',
    enforced: 'These are the rules the refund assistant enforces, version',
    fresh: 'Place a fresh set of demo orders',
    freshWhy: 'The scenario orders age: M21 needs an order under 15 minutes old. This makes a new set.',
    chatHint: 'The blue bubble at the bottom right is the refund assistant: try "I just bought this on impulse, I don\'t want it".',
    noRequest: 'no refund request',
    course: 'Online course',
  },
};

export function renderDemoPage(d: DemoPageData, now = Date.now()): string {
  const w = WORDS[d.locale];
  const price = formatMoney({ amountMinor: d.product.priceMinor, currency: d.product.currency }, d.locale);
  const [heading] = d.policy.text.split('\n');
  const rules = d.policy.rules.map((r) => `<li data-rule="${esc(r.id)}">${esc(r.text)}</li>`).join('');
  const orders = d.orders
    .map((o) => `<li><code>${esc(o.id)}</code> · ${esc(timeAgo(o.paidAt, d.locale, now))} · ${esc(o.status ?? w.noRequest)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="${d.locale === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(d.product.title)} · ${w.shop}</title>
<style>
  body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;background:#fafafa;color:#1c2024}
  .top{display:flex;justify-content:space-between;align-items:center;padding:12px 20px;background:#fff;border-bottom:1px solid #e3e5e8;font-size:14px;gap:12px;flex-wrap:wrap}
  main{max-width:860px;margin:24px auto;padding:0 20px}
  .card{background:#fff;border:1px solid #e3e5e8;border-radius:12px;padding:20px;margin-bottom:16px}
  .cover{height:160px;border-radius:10px;background:linear-gradient(135deg,#ff7a45,#ffb347);display:flex;align-items:center;justify-content:center;color:#fff;font-size:28px;font-weight:700}
  h1{font-size:24px;margin:16px 0 6px}.price{font-size:22px;color:#e5484d;font-weight:700}
  .buy{margin-top:12px;padding:10px 28px;border:0;border-radius:8px;background:#e5484d;color:#fff;font-size:16px}
  #policy{line-height:1.7;font-size:14px;padding-left:22px}#policy li{margin-bottom:4px}
  h2{font-size:17px;margin:0 0 10px}ul{padding-left:18px;font-size:13px;line-height:1.8}
  .hint{font-size:13px;color:#60646c}button.fresh{padding:6px 12px;border:1px solid #1f6feb;border-radius:6px;background:#fff;color:#1f6feb;cursor:pointer}
</style>
</head>
<body>
<div class="top"><strong>${w.shop}</strong><span>${w.signedIn}: <b id="buyer">${esc(d.buyer.name)}</b> · <a href="?as=${esc(d.other.as)}">${w.switchTo} ${esc(d.other.name)}</a></span></div>
<main>
  <section class="card">
    <div class="cover">PPT</div>
    <h1 id="title">${esc(d.product.title)}</h1>
    <div>${w.course}</div>
    <div class="price">${esc(price)}</div>
    <button class="buy" type="button" disabled>${w.buy}</button>
  </section>
  <section class="card">
    <h2>${w.policy}</h2>
    <p class="hint">${esc(heading ?? '')}</p>
    <ol id="policy">${rules}</ol>
    <p class="hint">${w.enforced} <code>${esc(d.policy.policy.id)} v${d.policy.policy.version}</code></p>
  </section>
  <section class="card">
    <h2>${w.orders}</h2>
    <ul id="orders">${orders}</ul>
    <p class="hint">${w.freshWhy}</p>
    <button class="fresh" type="button" id="fresh">${w.fresh}</button>
    <p class="hint">${w.chatHint}</p>
  </section>
</main>
<script>
  document.getElementById('fresh').addEventListener('click', function () {
    fetch('/demo/fresh-orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(function () { location.reload(); });
  });
</script>
<script src="/widget.js" data-token="${esc(d.chatToken)}" data-lang="${d.locale}" async></script>
</body>
</html>`;
}
