// The composition root's close stack (src/close-stack.ts): reverse order, every close run even when
// one fails, once however often it is asked, and nothing opened once closing has begun.
import { describe, expect, it } from 'vitest';
import { CloseStack } from '../../src/close-stack.ts';
import { createLogger } from '../../src/logger.ts';

const log = createLogger('silent');

describe('close stack', () => {
  it('closes in reverse order of opening', async () => {
    const stack = new CloseStack(log);
    const closed: string[] = [];
    for (const name of ['database', 'cache', 'jobs', 'server', 'widget']) stack.push(name, name, (n) => void closed.push(n));
    expect(stack.order).toEqual(['widget', 'server', 'jobs', 'cache', 'database']);
    await stack.closeAll();
    expect(closed).toEqual(['widget', 'server', 'jobs', 'cache', 'database']);
  });

  it('runs every close when one throws, and rethrows the first error at the end', async () => {
    const stack = new CloseStack(log);
    const closed: string[] = [];
    stack.push('db', 'db', () => void closed.push('db'));
    stack.push('jobs', 'jobs', async () => {
      throw new Error('queue refused');
    });
    stack.push('server', 'server', async () => void closed.push('server'));
    await expect(stack.closeAll()).rejects.toThrow('queue refused');
    expect(closed).toEqual(['server', 'db']);
  });

  it('closes once however often it is asked, and refuses to open more once closing', async () => {
    const stack = new CloseStack(log);
    let n = 0;
    stack.push(null, 'x', () => void (n += 1));
    const first = stack.closeAll();
    expect(stack.closeAll()).toBe(first);
    await first;
    expect(n).toBe(1);
    expect(() => stack.push(null, 'late', () => undefined)).toThrow(/closing/);
  });

  it('returns what it was given, so an area opens and registers in one expression', () => {
    const stack = new CloseStack(log);
    const resource = { close: () => undefined };
    expect(stack.push(resource, 'r', (r) => r.close())).toBe(resource);
  });
});
