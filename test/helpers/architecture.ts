// The import rules of src/ (README "Architecture"), as a checker over an import graph, so the rules
// are tested on small graphs in memory and then applied to the real tree (test/unit/architecture.test.ts).
//
//   modules   each top-level folder of src/ is a module (channels/<name> each one of its own); each
//             top-level file is a module by itself
//   entries   another module is imported only through its entry: `<module>/index.ts` (a file module
//             is its own entry; generated/ is Prisma's code, imported by path). A dynamic `import()`
//             may name the file it loads lazily (that is what keeps the SDK out of start-up); it
//             still counts for layers and cycles
//   layers    a module imports only modules of its own layer or lower ones
//   cycles    no cycle between modules, and none between files
//   database  channels never touch the database: nothing in channels/ imports store/ or generated/
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

/** The layers, lowest first. A module not listed here fails the test until it is placed. */
export const LAYERS: ReadonlyArray<readonly string[]> = [
  [
    'domain',
    'generated',
    'types',
    'errors.ts',
    'ids.ts',
    'logger.ts',
    'metrics.ts',
    'html.ts',
    'validation.ts',
    'config.ts',
    'config-secrets.ts',
  ],
  ['store', 'cache', 'outbox', 'jobs', 'platform'],
  ['policy', 'risk', 'commission', 'usage', 'payments', 'nlu'],
  ['refunds', 'handoffs', 'events'],
  ['conversation', 'digests', 'demo'],
  ['channels', 'channels/slack', 'channels/telegram', 'channels/widget', 'api'],
  ['desk.ts', 'close-stack.ts', 'main.ts', 'cli.ts', 'cli-policy.ts'],
];

/** One import of a src/ file: the file it names, and whether it is a dynamic `import()`. */
export interface Import {
  target: string;
  dynamic: boolean;
}

/** Files (paths relative to src/, with `/`) and their imports of src/ files. */
export type ImportGraph = Map<string, Import[]>;

export function moduleOf(file: string): string {
  const parts = file.split('/');
  if (parts.length === 1) return file;
  if (parts[0] === 'channels' && parts.length > 2) return `channels/${parts[1]}`;
  return parts[0]!;
}

export function layerOf(module: string, layers = LAYERS): number | null {
  const i = layers.findIndex((layer) => layer.includes(module));
  return i === -1 ? null : i;
}

/** Whether `file` may be imported from another module: it is that module's entry. */
export function isEntry(file: string): boolean {
  const module = moduleOf(file);
  if (module === file) return true;
  if (module === 'generated' || module === 'types') return true;
  return file === `${module}/index.ts`;
}

export interface Violation {
  rule: 'cycle' | 'layer' | 'deep' | 'unplaced' | 'database';
  detail: string;
}

/** Strongly connected components with more than one node (or a node importing itself). */
export function cycles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || edges.get(v)?.has(v)) found.push(component.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) visit(v);
  return found;
}

export function check(graph: ImportGraph, layers = LAYERS): Violation[] {
  const out: Violation[] = [];
  const moduleEdges = new Map<string, Set<string>>();
  const fileEdges = new Map<string, Set<string>>();
  const unplaced = new Set<string>();
  for (const [file, imports] of graph) {
    const from = moduleOf(file);
    if (layerOf(from, layers) === null) unplaced.add(from);
    fileEdges.set(file, new Set(imports.map((i) => i.target)));
    for (const { target, dynamic } of imports) {
      const to = moduleOf(target);
      if (to === from) continue;
      if (!moduleEdges.has(from)) moduleEdges.set(from, new Set());
      moduleEdges.get(from)!.add(to);
      const a = layerOf(from, layers);
      const b = layerOf(to, layers);
      if (a !== null && b !== null && b > a)
        out.push({ rule: 'layer', detail: `${file} (${from}, layer ${a}) imports ${target} (${to}, layer ${b})` });
      if (from.startsWith('channels') && (to === 'store' || to === 'generated'))
        out.push({ rule: 'database', detail: `${file} imports ${target}: channels hold no database access` });
      if (!dynamic && !isEntry(target))
        out.push({ rule: 'deep', detail: `${file} imports ${target}: another module only through ${to}/index.ts` });
    }
  }
  for (const m of [...unplaced].sort())
    out.push({ rule: 'unplaced', detail: `module ${m} has no layer (test/helpers/architecture.ts LAYERS)` });
  for (const c of cycles(moduleEdges)) out.push({ rule: 'cycle', detail: `modules ${c.join(' ⇄ ')}` });
  for (const c of cycles(fileEdges)) out.push({ rule: 'cycle', detail: `files ${c.join(' ⇄ ')}` });
  return out;
}

/** The relative module specifiers of a file's imports, re-exports and dynamic `import()`s. */
export function importsOf(text: string, fileName = 'file.ts'): Array<{ specifier: string; dynamic: boolean }> {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: Array<{ specifier: string; dynamic: boolean }> = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      out.push({ specifier: node.moduleSpecifier.text, dynamic: false });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) out.push({ specifier: arg.text, dynamic: true });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push({ specifier: node.argument.literal.text, dynamic: false }); // import('x').T in a type
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Every import of src/ files, resolved to paths relative to src/ (`.ts` files; other assets are not modules). */
export function readImportGraph(srcDir: string): ImportGraph {
  const graph: ImportGraph = new Map();
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return walk(path);
      return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
    });
  for (const path of walk(srcDir)) {
    const file = relative(srcDir, path).split('\\').join('/');
    if (file.startsWith('generated/')) continue; // Prisma's own code: a leaf, whatever it imports.
    const seen = new Map<string, Import>();
    for (const { specifier, dynamic } of importsOf(readFileSync(path, 'utf8'), path)) {
      if (!specifier.startsWith('.')) continue;
      const target = relative(srcDir, normalize(join(dirname(path), specifier)))
        .split('\\')
        .join('/');
      if (!target.endsWith('.ts')) continue;
      // A file imported both ways counts as static.
      const before = seen.get(target);
      seen.set(target, { target, dynamic: dynamic && (before?.dynamic ?? true) });
    }
    graph.set(file, [...seen.values()]);
  }
  return graph;
}
