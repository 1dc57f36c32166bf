// The dialogue as small composed handlers, in the shape of grammY's Composer: each handler gets the
// turn and `next`; it answers, or passes the turn on by calling `next()`. `when` routes with a
// predicate that is a type guard, so a handler sees the turn already narrowed (a pressed button
// with its argument, a text turn with its reading, a chat waiting for a given answer).
export type Next = () => Promise<void>;
export type Handler<C> = (ctx: C, next: Next) => unknown;

export class Composer<C> {
  private readonly handlers: Array<Handler<C>> = [];

  constructor(...handlers: Array<Handler<C>>) {
    this.handlers.push(...handlers);
  }

  /** Handlers that see every turn that reaches them, in order. */
  use(...handlers: Array<Handler<C>>): this {
    this.handlers.push(...handlers);
    return this;
  }

  /** Handlers that see only the turns the guard admits (narrowed to its type); others pass on. */
  when<D extends C>(guard: (ctx: C) => ctx is D, ...handlers: Array<Handler<D>>): this {
    const inner = new Composer<D>(...handlers).handler();
    this.handlers.push((ctx, next) => (guard(ctx) ? inner(ctx, next) : next()));
    return this;
  }

  /** All the handlers as one: the first runs, each `next()` runs the one after. */
  handler(): Handler<C> {
    const handlers = [...this.handlers];
    return async (ctx, last) => {
      const run = async (i: number): Promise<void> => {
        if (i === handlers.length) return last();
        let called = false;
        await handlers[i]!(ctx, async () => {
          if (called) throw new Error('next() called twice by one dialogue handler');
          called = true;
          await run(i + 1);
        });
      };
      await run(0);
    };
  }

  /** Runs a turn through the handlers; a turn no handler answered ends quietly. */
  async run(ctx: C): Promise<void> {
    await this.handler()(ctx, async () => undefined);
  }
}
