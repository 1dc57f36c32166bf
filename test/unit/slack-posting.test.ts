// Posting tickets is one pass at a time per instance (src/channels/slack/slack-desk.ts): a call made
// while the job's pass is posting waits for it, so when it returns the ticket is in Slack (the
// posting lease would otherwise make it skip a ticket the other pass is still posting).
import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../src/cache/memory-cache.ts';
import { SlackDesk } from '../../src/channels/slack/slack-desk.ts';
import type { HandoffLifecycle } from '../../src/handoffs/index.ts';
import { createLogger } from '../../src/logger.ts';

function fakeLifecycle() {
  const posted = new Map<string, string>();
  const leased = new Set<string>();
  const lifecycle = {
    duePostings: async () => (posted.has('ho_1') ? [] : ['ho_1']),
    leasePosting: async (id: string) => {
      if (leased.has(id)) return false;
      leased.add(id);
      return true;
    },
    ticket: async () => ({
      handoff: { id: 'ho_1', kind: 'appeal', status: 'open', reason: 'r', assigneeId: null, resolution: null, createdAt: new Date() },
      buyer: { id: 'b', maskedName: 'b', tier: 'new', accountAgeDays: 1, refunds30d: 0 },
      order: null,
      product: null,
      request: null,
      usage: null,
      rules: [],
      decidedBy: null,
      risk: [],
      commissions: [],
      conversation: [],
      refunds: [],
    }),
    recordPosted: async (id: string, thread: { ts: string | null }) => void posted.set(id, thread.ts ?? ''),
    releasePosting: async (id: string) => void leased.delete(id),
  };
  return { lifecycle: lifecycle as unknown as HandoffLifecycle, posted };
}

describe('posting tickets', () => {
  it('a call during a pass waits for it: the ticket is posted once and is in Slack when the call returns', async () => {
    const { lifecycle, posted } = fakeLifecycle();
    const desk = new SlackDesk({
      config: {
        botToken: 'xoxb-test',
        signingSecret: 's',
        deskChannel: 'C1',
        riskChannel: null,
        apiUrl: 'http://127.0.0.1:9/api/',
        userGroup: null,
        remindAfterMs: 1,
        escalateAfterMs: 2,
        escalationMention: '@here',
      } as never,
      handoffs: lifecycle,
      cache: new MemoryCache(),
      log: createLogger('silent'),
      decisions: {} as never,
      delivery: {} as never,
      guides: {} as never,
    });
    (desk as unknown as { started: boolean }).started = true;
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    (desk.app.client.chat as unknown as { postMessage: unknown }).postMessage = async () => {
      calls += 1;
      await slow;
      return { channel: 'C1', ts: '1.1' };
    };
    const job = desk.postNewTickets();
    await new Promise((r) => setTimeout(r, 10));
    const caller = desk.postNewTickets();
    let callerDone = false;
    void caller.then(() => (callerDone = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(callerDone).toBe(false); // It waits for the job's pass rather than skipping the leased ticket.
    release();
    expect(await job).toBe(1);
    expect(await caller).toBe(0);
    expect(posted.get('ho_1')).toBe('1.1');
    expect(calls).toBe(1);
  });
});
