// The import rules of src/ (README "Architecture"): no cycles, no import of a higher layer, another
// module only through its index.ts, channels without the database. The checker is tested on small
// graphs in memory (each rule made to fail), then run on the real tree, which must break none.
import { describe, expect, it } from 'vitest';
import { check, importsOf, isEntry, layerOf, moduleOf, readImportGraph, type ImportGraph } from '../helpers/architecture.ts';

const graph = (edges: Record<string, Array<string | { target: string; dynamic: boolean }>>): ImportGraph =>
  new Map(
    Object.entries(edges).map(([file, targets]) => [file, targets.map((t) => (typeof t === 'string' ? { target: t, dynamic: false } : t))]),
  );

const rules = (g: ImportGraph) => check(g).map((v) => v.rule);

describe('the import checker', () => {
  it('names modules by top folder (each channel its own) and top-level files by themselves', () => {
    expect(moduleOf('refunds/refund-workflow.ts')).toBe('refunds');
    expect(moduleOf('payments/wechat-pay/wechat-pay-gateway.ts')).toBe('payments');
    expect(moduleOf('channels/slack/slack-desk.ts')).toBe('channels/slack');
    expect(moduleOf('channels/channel-starter.ts')).toBe('channels');
    expect(moduleOf('config.ts')).toBe('config.ts');
    expect(isEntry('refunds/index.ts')).toBe(true);
    expect(isEntry('refunds/refund-store.ts')).toBe(false);
    expect(isEntry('errors.ts')).toBe(true);
    expect(layerOf('domain')! < layerOf('store')!).toBe(true);
    expect(layerOf('refunds')).toBe(layerOf('handoffs'));
    expect(layerOf('channels/slack')! < layerOf('desk.ts')!).toBe(true);
  });

  it('passes a graph that keeps every rule', () => {
    expect(
      check(
        graph({
          'domain/money.ts': [],
          'domain/index.ts': ['domain/money.ts'],
          'refunds/refund-workflow.ts': ['domain/index.ts', 'refunds/refund-store.ts'],
          'refunds/refund-store.ts': ['store/index.ts'],
          'store/index.ts': [],
          'refunds/index.ts': ['refunds/refund-workflow.ts'],
          'desk.ts': ['refunds/index.ts', { target: 'payments/stripe-gateway.ts', dynamic: true }],
          'payments/stripe-gateway.ts': [],
        }),
      ),
    ).toEqual([]);
  });

  it('fails on a lower layer importing a higher one', () => {
    const v = check(graph({ 'payments/payment-notices.ts': ['refunds/index.ts'], 'refunds/index.ts': [] }));
    expect(v).toEqual([expect.objectContaining({ rule: 'layer', detail: expect.stringContaining('payments/payment-notices.ts') })]);
    // Type-only and dynamic imports count too: the layers are about design, not load order.
    expect(rules(graph({ 'config.ts': [{ target: 'payments/index.ts', dynamic: true }], 'payments/index.ts': [] }))).toEqual(['layer']);
  });

  it('fails on a deep import across modules, but not inside a module or for a lazy import()', () => {
    expect(rules(graph({ 'conversation/flows/withdraw.ts': ['refunds/refund-states.ts'], 'refunds/refund-states.ts': [] }))).toEqual([
      'deep',
    ]);
    expect(rules(graph({ 'refunds/a.ts': ['refunds/b.ts'], 'refunds/b.ts': [] }))).toEqual([]);
    expect(rules(graph({ 'cli.ts': [{ target: 'nlu/classifier.ts', dynamic: true }], 'nlu/classifier.ts': [] }))).toEqual([]);
  });

  it('fails on a cycle between modules and on one between files', () => {
    const modules = check(graph({ 'refunds/index.ts': ['handoffs/index.ts'], 'handoffs/index.ts': ['refunds/index.ts'] }));
    expect(modules.map((v) => v.rule)).toEqual(['cycle', 'cycle']);
    expect(modules[0]!.detail).toContain('modules handoffs ⇄ refunds');
    const files = check(graph({ 'api/server.ts': ['api/routes/events.ts'], 'api/routes/events.ts': ['api/server.ts'] }));
    expect(files).toEqual([expect.objectContaining({ rule: 'cycle', detail: 'files api/routes/events.ts ⇄ api/server.ts' })]);
    expect(rules(graph({ 'api/server.ts': ['api/server.ts'] }))).toEqual(['cycle']);
  });

  it('fails on a module no layer places, and on a channel that reaches the database', () => {
    expect(rules(graph({ 'newthing/x.ts': [] }))).toEqual(['unplaced']);
    expect(rules(graph({ 'channels/slack/slack-desk.ts': ['store/index.ts'], 'store/index.ts': [] }))).toEqual(['database']);
  });

  it('reads imports, type imports, re-exports and dynamic import() from source text', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from '../b/index.ts';",
      "export { c } from './c.ts';",
      "export * from './d.ts';",
      "import 'node:fs';",
      "const e = await import('./e.ts');",
      "type F = import('./f.ts').F;",
      'const notAnImport = \'import("./g.ts")\';',
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { specifier: './a.ts', dynamic: false },
      { specifier: '../b/index.ts', dynamic: false },
      { specifier: './c.ts', dynamic: false },
      { specifier: './d.ts', dynamic: false },
      { specifier: 'node:fs', dynamic: false },
      { specifier: './e.ts', dynamic: true },
      { specifier: './f.ts', dynamic: false },
    ]);
  });
});

describe('src/', () => {
  it('keeps every rule', () => {
    const violations = check(readImportGraph(new URL('../../src/', import.meta.url).pathname));
    expect(violations.map((v) => `${v.rule}: ${v.detail}`)).toEqual([]);
  });
});
