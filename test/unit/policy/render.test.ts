import { describe, expect, it } from 'vitest';
import { PRESETS, policySchema, renderPolicy } from '../../../src/policy/index.ts';

describe('policy in plain words (M7)', () => {
  it('renders the course policy in Chinese and English from the same data decide() uses', () => {
    const zh = renderPolicy(PRESETS.course, 'zh', '《PPT大师进阶课》');
    expect(zh.text).toContain('退款规则（《PPT大师进阶课》，课程类）');
    // The product page's promise, now with what can still stop it.
    expect(zh.text).toContain(
      '付款后15分钟内，任何理由均可自助退款，立即原路退回，不受退款额度限制；已观看进度超过30%或下载资料包/文件的除外',
    );
    expect(zh.text).toContain(
      '付款后15分钟至24小时内，课程观看进度不超过10%时可自助退款（受退款额度限制）；不符合条件时不能自助退款，申请会立即转给人工客服',
    );
    expect(zh.text).toContain('观看进度超过30%或下载资料包/文件后，该订单不再支持自助退款');
    expect(zh.text).toContain('新注册账户（注册不满7天）已退款1笔后由人工客服审核');
    const en = renderPolicy(PRESETS.course, 'en');
    expect(en.text).toContain('Within 15 minutes of payment, you get a refund for any reason, at once and whatever your refund allowance');
    expect(en.text).toContain('no more than 10% of the course');
    // Locks are alternatives: either one closes self-service.
    expect(en.text).toContain(
      'self-service refund closes once you have watched more than 30% of the course or downloaded the full package or files',
    );
    expect(en.text).toContain('for most accounts, a person decides once the account has had 3 refunds or CN¥500.00 refunded');
    const key = renderPolicy(PRESETS.software_key, 'en').text;
    expect(key).toContain(
      'if the licence key has not been revealed, the licence key has not been activated, and you have not logged in to the software',
    );
    expect(en.policy).toEqual({ id: 'course-default', version: 2 });
    expect(en.rules.map((r) => r.id)).toEqual([
      'window.unconditional',
      'window.conditional',
      'locks',
      'window.expired',
      'reason.troubleshoot',
      'allowance.trust_tier',
      'buyer.restricted',
      'risk.assessment',
      'payment.route',
    ]);
    // A category without locks says so by saying nothing about them.
    expect(renderPolicy(PRESETS.membership, 'en').rules.map((r) => r.id)).not.toContain('locks');
  });

  it('follows an overridden policy (a product with a longer window says so)', () => {
    const custom = policySchema.parse({
      ...PRESETS.template,
      id: 'tpl-48h',
      version: 2,
      windows: { unconditionalMinutes: 30, conditionalHours: 48 },
    });
    expect(renderPolicy(custom, 'en').text).toContain('Within 30 minutes');
    expect(renderPolicy(custom, 'zh').text).toContain('付款后30分钟至48小时内');
  });

  it('refuses an invalid policy object', () => {
    expect(policySchema.safeParse({ ...PRESETS.course, windows: { unconditionalMinutes: 120, conditionalHours: 1 } }).success).toBe(false);
    expect(policySchema.safeParse({ ...PRESETS.course, id: 'Bad Id' }).success).toBe(false);
    expect(policySchema.safeParse({ ...PRESETS.course, currency: 'yuan' }).success).toBe(false);
    expect(policySchema.safeParse({ ...PRESETS.course, allowances: { standard: PRESETS.course.allowances.standard } }).success).toBe(false);
  });

  it('states a threshold exactly as decide() compares it, never rounded to a nicer number', () => {
    const precise = {
      ...PRESETS.course,
      conditions: [{ kind: 'course_progress_at_most' as const, threshold: 0.295 }],
      locks: [{ kind: 'course_progress' as const, above: 0.495 }],
    };
    for (const lang of ['zh', 'en'] as const) {
      const text = renderPolicy(precise, lang).text;
      expect(text).toContain('29.5%');
      expect(text).toContain('49.5%');
      expect(text).not.toMatch(/\b30%/);
    }
  });
});
