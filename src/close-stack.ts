// One stack of closes for the composition root, fastify `onClose` style: each area pushes the close
// of what it opened, as it opens it; shutdown and a failed start both run the stack in reverse, so
// nothing is closed before what depends on it and nothing opened is left open.
import type { Logger } from './logger.ts';

export interface Closer {
  name: string;
  close: () => Promise<void> | void;
}

export class CloseStack {
  private readonly closers: Closer[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly log: Logger) {}

  /** Registers what closes a resource just opened; returns the resource for chaining. */
  push<T>(resource: T, name: string, close: (resource: T) => Promise<void> | void): T {
    if (this.closing) throw new Error(`cannot open ${name}: the desk is closing`);
    this.closers.push({ name, close: () => close(resource) });
    return resource;
  }

  /** The names in the order they will be closed. */
  get order(): string[] {
    return this.closers.map((c) => c.name).reverse();
  }

  /**
   * Closes everything in reverse, once (later calls get the same promise). A close that throws is
   * logged and the rest still run; the first error is rethrown at the end.
   */
  closeAll(): Promise<void> {
    this.closing ??= (async () => {
      let first: unknown;
      for (const closer of [...this.closers].reverse()) {
        try {
          await closer.close();
        } catch (error) {
          this.log.error({ err: error, resource: closer.name }, 'could not close a resource');
          first ??= error;
        }
      }
      if (first !== undefined) throw first;
    })();
    return this.closing;
  }
}
