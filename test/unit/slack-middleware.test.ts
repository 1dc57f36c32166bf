// The ticket buttons' guards as Bolt middleware (src/channels/slack/middleware.ts), run through a
// chain the way Bolt runs listener middleware: ack first, a repeated delivery dropped, a non-member
// told no, the handoff id put on the context, a failing listener reported to the agent.
import { describe, expect, it, vi } from 'vitest';
import type { BlockAction } from '@slack/bolt';
import { MemoryCache } from '../../src/cache/memory-cache.ts';
import { DeskError } from '../../src/errors.ts';
import { NOT_A_MEMBER, handoffIdOf, ticketGuards, type GuardDeps } from '../../src/channels/slack/middleware.ts';

type Step = (args: Record<string, unknown>) => Promise<void>;

/** Runs middleware in order, each `next()` calling the following one, the last being the listener. */
async function run(chain: Step[], args: Record<string, unknown>): Promise<void> {
  const at = async (i: number): Promise<void> => {
    if (i < chain.length) await chain[i]!({ ...args, next: () => at(i + 1) });
  };
  await at(0);
}

const click = (over: { user?: string; actionTs?: string; value?: string } = {}) => {
  const action = {
    type: 'button',
    action_id: 'ticket.claim',
    action_ts: over.actionTs ?? '1.1',
    value: over.value ?? 'ho_1|x',
    block_id: 'b',
  };
  const body = {
    type: 'block_actions',
    user: { id: over.user ?? 'U1' },
    container: { message_ts: '9.9' },
    actions: [action],
  } as unknown as BlockAction;
  return { body, action };
};

function setup(members: string[] = ['U1']) {
  const told: string[] = [];
  const errors: unknown[] = [];
  const deps: GuardDeps = {
    cache: new MemoryCache(),
    log: { error: (o: unknown) => errors.push(o), warn: () => {}, info: () => {} } as unknown as GuardDeps['log'],
    mayAct: async (u) => members.includes(u),
    tell: async (_b, text) => {
      told.push(text);
    },
  };
  return { deps, told, errors };
}

describe('slack ticket guards', () => {
  it('acks before anything else and puts the handoff id on the context', async () => {
    const { deps } = setup();
    const order: string[] = [];
    const ack = vi.fn(async () => {
      order.push('ack');
    });
    const context: Record<string, unknown> = {};
    const listener: Step = async (a) => {
      order.push(`run ${(a.context as Record<string, unknown>).handoffId}`);
    };
    await run([...(ticketGuards(deps) as unknown as Step[]), listener], { ...click(), ack, context });
    expect(order).toEqual(['ack', 'run ho_1']);
  });

  it('drops the same delivery twice but not a new click of the same button', async () => {
    const { deps } = setup();
    let runs = 0;
    const listener: Step = async () => {
      runs += 1;
    };
    const chain = [...(ticketGuards(deps) as unknown as Step[]), listener];
    const ack = async () => {};
    await run(chain, { ...click(), ack, context: {} });
    await run(chain, { ...click(), ack, context: {} });
    expect(runs).toBe(1);
    await run(chain, { ...click({ actionTs: '1.2' }), ack, context: {} });
    expect(runs).toBe(2);
  });

  it('tells a non-member no and runs nothing, after acking', async () => {
    const { deps, told } = setup(['U1']);
    const ack = vi.fn(async () => {});
    const listener = vi.fn(async () => {});
    await run([...(ticketGuards(deps) as unknown as Step[]), listener], { ...click({ user: 'U2' }), ack, context: {} });
    expect(ack).toHaveBeenCalledOnce();
    expect(listener).not.toHaveBeenCalled();
    expect(told).toEqual([NOT_A_MEMBER]);
  });

  it('reports a failing listener to the agent, escaping a desk error and hiding any other', async () => {
    const { deps, told, errors } = setup();
    const chain = (error: Error) => [...(ticketGuards(deps) as unknown as Step[]), async () => Promise.reject(error)];
    await run(chain(new DeskError('conflict', 'x', 'amount <b> too high')), { ...click(), ack: async () => {}, context: {} });
    await run(chain(new Error('db password leaked')), { ...click({ actionTs: '2' }), ack: async () => {}, context: {} });
    expect(told[0]).toContain('amount &lt;b&gt; too high');
    expect(told[1]).toContain('an internal error');
    expect(told[1]).not.toContain('password');
    expect(errors).toHaveLength(2);
  });

  it('reads the handoff id from a button value or a selected option, empty when there is none', () => {
    expect(handoffIdOf({ type: 'button', value: 'ho_7' } as never)).toBe('ho_7');
    expect(handoffIdOf({ type: 'static_select', selected_option: { value: 'ho_8|wrong_reason' } } as never)).toBe('ho_8');
    expect(handoffIdOf({ type: 'static_select' } as never)).toBe('');
  });
});
