import { describe, expect, it } from 'vitest';
import { Composer } from '../../../src/conversation/composer.ts';

type Ctx = { kind: 'a' | 'b'; value?: number; log: string[] };
const isA = (c: Ctx): c is Ctx & { kind: 'a'; value: number } => c.kind === 'a' && typeof c.value === 'number';

describe('Composer (grammY-style handlers with type-guard routing)', () => {
  it('runs handlers in order, each passing on with next()', async () => {
    const c = new Composer<Ctx>()
      .use((ctx, next) => {
        ctx.log.push('first');
        return next();
      })
      .use((ctx) => {
        ctx.log.push('second');
      })
      .use((ctx) => {
        ctx.log.push('never');
      });
    const ctx: Ctx = { kind: 'a', log: [] };
    await c.run(ctx);
    expect(ctx.log).toEqual(['first', 'second']);
  });

  it('routes by a type guard: the handler sees the narrowed turn, others pass on', async () => {
    const c = new Composer<Ctx>()
      .when(isA, (ctx) => {
        ctx.log.push(`a:${ctx.value.toFixed(0)}`);
      })
      .use((ctx) => {
        ctx.log.push('fallback');
      });
    const a: Ctx = { kind: 'a', value: 2, log: [] };
    const b: Ctx = { kind: 'b', log: [] };
    await c.run(a);
    await c.run(b);
    expect(a.log).toEqual(['a:2']);
    expect(b.log).toEqual(['fallback']);
  });

  it('lets a routed handler decline (next) so a later one answers', async () => {
    const c = new Composer<Ctx>()
      .when(isA, (ctx, next) => (ctx.value > 5 ? ctx.log.push('big') : next()))
      .use((ctx) => {
        ctx.log.push('small');
      });
    const ctx: Ctx = { kind: 'a', value: 1, log: [] };
    await c.run(ctx);
    expect(ctx.log).toEqual(['small']);
  });

  it('refuses a handler that calls next() twice, and ends quietly when nobody answers', async () => {
    const twice = new Composer<Ctx>().use(async (_ctx, next) => {
      await next();
      await next();
    });
    await expect(twice.run({ kind: 'a', log: [] })).rejects.toThrow(/twice/);
    await expect(new Composer<Ctx>().run({ kind: 'b', log: [] })).resolves.toBeUndefined();
  });
});
