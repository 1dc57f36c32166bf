// The Chinese word list node-nlp segments and stems with, in its smallest form. node-nlp's Chinese
// tokenizer keeps all of CC-CEDICT in memory (the 9 MB source text, and an object per entry with its
// pinyin and English definition, indexed twice) although segmenting and stemming read only two things
// of each word: that it is a word, and the stem node-nlp's StemmerZh derives from its entries. This
// module derives exactly those once, as one Map of word → stem, with StemmerZh's own rules, and keeps
// it in DATA_DIR/nlu (keyed by @nlpjs/lang-zh's version), so a warm start reads a few MB of text and
// never loads the dictionary module. The file is "word<TAB>stem" lines, read by scanning (a JSON
// object of 200,000 keys costs some 90 MB of transient memory to parse, which the process keeps). src/nlu/nlp-engine.ts tokenizes and stems through it.
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Word → its stem (null: StemmerZh drops the word, e.g. a particle). */
export type ZhLexicon = Map<string, string | null>;

interface CedictEntry {
  simplified: string;
  definition: string;
  pinyin: string;
}

const require = createRequire(import.meta.url);

/** The installed @nlpjs/lang-zh's version: the word list is that package's data. */
export function langZhVersion(): string {
  return (require('@nlpjs/lang-zh/package.json') as { version: string }).version;
}

/**
 * Parses CC-CEDICT as @nlpjs/lang-zh's Dictionary.start() does (consecutive lines of one word are one
 * entry list; simplified and traditional forms are both looked up), and derives each word's stem as
 * StemmerZh.translateToEnglish() does.
 */
export function deriveZhLexicon(cedict: string): ZhLexicon {
  const simplified = new Map<string, CedictEntry[]>();
  const traditional = new Map<string, CedictEntry[]>();
  const element = (line: string | undefined) => {
    if (!line) return { traditional: '', simplified: '', pinyin: '', definition: '' };
    const tokens = line.split(' ');
    return {
      traditional: tokens[0]!,
      simplified: tokens[1] ?? '',
      pinyin: line.substring(line.indexOf('[') + 1, line.indexOf(']')),
      definition: line.substring(line.indexOf('/') + 1, line.lastIndexOf('/')),
    };
  };
  const lines = cedict.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (line.startsWith('#')) continue;
    const current = element(line);
    const definitions = [current];
    let next = element(lines[i + 1]);
    while (next.traditional === current.traditional && next.simplified === current.simplified) {
      i += 1;
      definitions.push(next);
      next = element(lines[i + 1]);
    }
    for (const [index, key] of [
      [simplified, current.simplified],
      [traditional, current.traditional],
    ] as const) {
      const list = index.get(key) ?? [];
      list.push(...definitions);
      index.set(key, list);
    }
  }
  const search = (word: string) => simplified.get(word) ?? traditional.get(word);
  const stemOf = (definitions: CedictEntry[]): string | null => {
    if (definitions.some((d) => d.definition.includes('(possessive particle)') || d.definition.includes('(modal particle'))) return null;
    if (definitions.length === 0) return null;
    if (definitions[0]!.definition.includes('you (')) return 'ni3';
    const first = search(definitions[0]!.simplified);
    // StemmerZh keeps a stem only when it is not empty.
    const pinyin = first ? first.map((d) => d.pinyin).join(' ') : definitions[0]!.simplified;
    return pinyin || null;
  };
  const lexicon: ZhLexicon = new Map();
  for (const index of [simplified, traditional]) {
    for (const [word] of index) if (!lexicon.has(word)) lexicon.set(word, stemOf(search(word)!));
  }
  return lexicon;
}

/** The dictionary text, read from @nlpjs/lang-zh and dropped from the module cache again. */
function readCedict(): string {
  const file = require.resolve('@nlpjs/lang-zh/src/cedict_ts.u8.js');
  try {
    return require(file) as string;
  } finally {
    delete require.cache[file];
  }
}

/** The word list from DATA_DIR/nlu, or derived from the dictionary (and written there). */
export async function loadZhLexicon(dataDir: string | null): Promise<ZhLexicon> {
  const file = dataDir ? path.join(dataDir, 'nlu', `zh-lexicon-${langZhVersion()}.tsv`) : null;
  const cached = file ? await fs.readFile(file, 'utf8').catch(() => null) : null;
  const parsed = cached ? parseLexicon(cached) : null;
  if (parsed) return parsed;
  // None yet, or a damaged file: derived again and (re)written.
  const lexicon = deriveZhLexicon(readCedict());
  if (file) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Written whole then renamed, so a concurrent reader never sees half a list.
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, formatLexicon(lexicon));
    await fs.rename(tmp, file);
  }
  return lexicon;
}

/** The file's header: a file without it (or cut short, without the last line's mark) is not used. */
const HEADER = 'refund-desk zh-lexicon 1';
const END = '# end';

/** "word<TAB>stem" per line; an empty stem is a word StemmerZh drops. */
export function formatLexicon(lexicon: ZhLexicon): string {
  const lines = [HEADER];
  for (const [word, stem] of lexicon) lines.push(`${word}\t${stem ?? ''}`);
  lines.push(END, '');
  return lines.join('\n');
}

/** The list from its file, scanning line by line (no intermediate arrays); null when damaged. */
export function parseLexicon(text: string): ZhLexicon | null {
  if (!text.startsWith(`${HEADER}\n`) || !text.endsWith(`\n${END}\n`)) return null;
  const lexicon: ZhLexicon = new Map();
  const stop = text.length - END.length - 2;
  let at = HEADER.length + 1;
  while (at <= stop) {
    const newline = text.indexOf('\n', at);
    const tab = text.indexOf('\t', at);
    if (tab < 0 || tab > newline) return null;
    const stem = text.slice(tab + 1, newline);
    lexicon.set(text.slice(at, tab), stem || null);
    at = newline + 1;
  }
  return lexicon;
}
