// Routes every static cross-module import of src/ through the target module's index.ts, adding the
// names to that index (test/unit/architecture.test.ts's entry rule). For merges: a branch that added deep
// imports is fixed with `npx tsx scripts/route-imports.ts`, then `npx tsc --noEmit -p tsconfig.json`.
// Dynamic import() is left alone (a lazy load may name its file).
import { readFileSync, writeFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { isEntry, moduleOf } from '../test/helpers/architecture.ts';

const SRC = new URL('../src/', import.meta.url).pathname;
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? (n === 'generated' ? [] : walk(p)) : n.endsWith('.ts') && !n.endsWith('.d.ts') ? [p] : [];
  });
const rel = (p: string) => relative(SRC, p).split('\\').join('/');
const wanted = new Map<string, Map<string, boolean>>(); // target file -> name -> value?
const edits = new Map<string, Array<{ start: number; end: number; text: string }>>();
const problems: string[] = [];

for (const path of walk(SRC)) {
  const file = rel(path);
  const text = readFileSync(path, 'utf8');
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  for (const st of sf.statements) {
    if (!(ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) || !st.moduleSpecifier || !ts.isStringLiteral(st.moduleSpecifier))
      continue;
    const spec = st.moduleSpecifier.text;
    if (!spec.startsWith('.')) continue;
    const target = rel(normalize(join(dirname(path), spec)));
    if (moduleOf(target) === moduleOf(file) || isEntry(target)) continue;
    const names = new Map<string, boolean>();
    if (ts.isImportDeclaration(st)) {
      const clause = st.importClause;
      if (!clause) {
        problems.push(`${file}: side-effect import ${spec}`);
        continue;
      }
      if (clause.name) {
        problems.push(`${file}: default import from ${spec}`);
        continue;
      }
      const nb = clause.namedBindings;
      if (!nb || !ts.isNamedImports(nb)) {
        problems.push(`${file}: namespace import from ${spec}`);
        continue;
      }
      for (const el of nb.elements) names.set((el.propertyName ?? el.name).text, !(clause.isTypeOnly || el.isTypeOnly));
    } else {
      const ec = st.exportClause;
      if (!ec || !ts.isNamedExports(ec)) {
        problems.push(`${file}: export * from ${spec}`);
        continue;
      }
      for (const el of ec.elements) names.set((el.propertyName ?? el.name).text, !(st.isTypeOnly || el.isTypeOnly));
    }
    const m = wanted.get(target) ?? new Map();
    for (const [n, v] of names) m.set(n, (m.get(n) ?? false) || v);
    wanted.set(target, m);
    const mod = moduleOf(target);
    const entry = mod.endsWith('.ts') ? mod : `${mod}/index.ts`;
    let newSpec = relative(dirname(path), join(SRC, entry)).split('\\').join('/');
    if (!newSpec.startsWith('.')) newSpec = `./${newSpec}`;
    const list = edits.get(path) ?? [];
    list.push({ start: st.moduleSpecifier.getStart(sf), end: st.moduleSpecifier.getEnd(), text: `'${newSpec}'` });
    edits.set(path, list);
  }
}
if (problems.length) {
  console.log(problems.join('\n'));
  process.exit(1);
}

// Names each index already exports.
const exportedBy = (indexPath: string): Set<string> => {
  const out = new Set<string>();
  if (!existsSync(indexPath)) return out;
  const sf = ts.createSourceFile(indexPath, readFileSync(indexPath, 'utf8'), ts.ScriptTarget.Latest, true);
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause))
      for (const el of st.exportClause.elements) out.add(el.name.text);
    else if (
      (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) &&
      st.name &&
      st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    )
      out.add(st.name.text);
  }
  return out;
};
const byModule = new Map<string, Map<string, Map<string, boolean>>>();
for (const [target, names] of wanted) {
  const mod = moduleOf(target);
  const m = byModule.get(mod) ?? new Map();
  m.set(target, names);
  byModule.set(mod, m);
}
for (const [mod, files] of [...byModule].sort()) {
  const indexPath = join(SRC, mod, 'index.ts');
  const existing = exportedBy(indexPath);
  const seen = new Map<string, string>();
  const lines: string[] = [];
  for (const [target, names] of [...files].sort()) {
    const missing = [...names].filter(([n]) => !existing.has(n)).sort(([a], [b]) => a.localeCompare(b));
    for (const [n] of missing) {
      if (seen.has(n) && seen.get(n) !== target) problems.push(`${mod}: ${n} from ${seen.get(n)} and ${target}`);
      seen.set(n, target);
    }
    if (missing.length === 0) continue;
    const from = `./${relative(join(SRC, mod), join(SRC, target)).split('\\').join('/')}`;
    const allTypes = missing.every(([, v]) => !v);
    const list = missing.map(([n, v]) => (allTypes || v ? n : `type ${n}`)).join(', ');
    lines.push(`export ${allTypes ? 'type ' : ''}{ ${list} } from '${from}';`);
  }
  if (lines.length === 0) continue;
  const header = existsSync(indexPath)
    ? readFileSync(indexPath, 'utf8').replace(/\s*$/, '\n')
    : `// The ${mod} module's entry: what other modules may use of it (test/unit/architecture.test.ts).\n`;
  writeFileSync(indexPath, header + lines.join('\n') + '\n');
  console.log(`${mod}/index.ts: +${lines.length} lines`);
}
if (problems.length) {
  console.log(problems.join('\n'));
  process.exit(1);
}
for (const [path, list] of edits) {
  let text = readFileSync(path, 'utf8');
  for (const e of list.sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  writeFileSync(path, text);
}
console.log(`rewrote imports in ${edits.size} files`);
