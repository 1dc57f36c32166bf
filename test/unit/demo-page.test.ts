// The demo product page shows the policy the desk enforces, rule by rule, with its version, and
// escapes whatever the shop's data holds.
import { describe, expect, it } from 'vitest';
import { renderDemoPage } from '../../src/demo/demo-page.ts';
import { PRESETS, renderPolicy } from '../../src/policy/index.ts';

describe('the demo product page', () => {
  it('lists every rule renderPolicy gives, in order, with the policy version, and escapes hostile text', () => {
    const title = '《PPT》<img src=x onerror=alert(1)>';
    const policy = renderPolicy(PRESETS.course, 'zh', title);
    const html = renderDemoPage({
      locale: 'zh',
      product: { id: 'p_1', title, priceMinor: 9_900, currency: 'CNY' },
      policy,
      buyer: { id: 'b_1', name: '李<b>小明</b>' },
      other: { as: 'alice', name: 'Alice' },
      orders: [],
      chatToken: 'tok"en',
    });
    const items = [...html.matchAll(/<li data-rule="([^"]+)">([^<]*)<\/li>/g)].map((m) => [m[1], m[2]]);
    expect(items.map(([id]) => id)).toEqual(policy.rules.map((r) => r.id));
    expect(items[0]![1]).toContain('付款后15分钟内，任何理由均可自助退款');
    expect(html).toContain('<code>course-default v2</code>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<b>小明</b>');
    expect(html).toContain('data-token="tok&quot;en"');
  });
});
