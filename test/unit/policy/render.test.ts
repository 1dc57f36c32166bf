import { describe, expect, it } from 'vitest';
import { PRESETS, policySchema, renderPolicy } from '../../../src/policy/index.ts';

describe('policy in plain words (M7)', () => {
  it('renders the course policy in Chinese and English from the same data decide() uses', () => {
    const zh = renderPolicy(PRESETS.course, 'zh', '《PPT大师进阶课》');
    expect(zh.text).toContain('退款规则（《PPT大师进阶课》，课程类）');
    expect(zh.text).toContain('付款后15分钟内，任何理由均可自助退款');
    expect(zh.text).toContain('付款后24小时内，课程观看进度不超过10%时可自助退款');
    expect(zh.text).toContain('观看进度超过30%或下载资料包/文件后，该订单不再支持自助退款');
    const en = renderPolicy(PRESETS.course, 'en');
    expect(en.text).toContain('Within 15 minutes of payment, you can get a refund for any reason');
    expect(en.text).toContain('no more than 10% of the course');
    // Locks are alternatives: either one closes self-service.
    expect(en.text).toContain('Self-service refund closes once you have watched more than 30% of the course or downloaded the full package or files.');
    const key = renderPolicy(PRESETS.software_key, 'en').text;
    expect(key).toContain('if the licence key has not been revealed, the licence key has not been activated, and you have not logged in to the software');
    expect(en.policy).toEqual({ id: 'course-default', version: 1 });
    expect(en.rules.map((r) => r.id)).toEqual(['window.unconditional', 'window.conditional', 'locks', 'window.expired', 'reason.troubleshoot']);
  });

  it('follows an overridden policy (a product with a longer window says so)', () => {
    const custom = policySchema.parse({ ...PRESETS.template, id: 'tpl-48h', version: 2, windows: { unconditionalMinutes: 30, conditionalHours: 48 } });
    expect(renderPolicy(custom, 'en').text).toContain('Within 30 minutes');
    expect(renderPolicy(custom, 'zh').text).toContain('付款后48小时内');
  });

  it('refuses an invalid policy object', () => {
    expect(policySchema.safeParse({ ...PRESETS.course, windows: { unconditionalMinutes: 120, conditionalHours: 1 } }).success).toBe(false);
    expect(policySchema.safeParse({ ...PRESETS.course, id: 'Bad Id' }).success).toBe(false);
  });
});
