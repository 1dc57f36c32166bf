// node-nlp's intent classifier for Chinese and English, and nothing else of it. node-nlp's NlpManager
// loads all 40 of nlp.js's languages, Microsoft's entity recognizers, sentiment lexicons and an
// expression evaluator on import (about 100 MB resident); the desk classifies in two languages with
// no entities or sentiment. This builds the same @nlpjs/nlp engine NlpManager wraps, with only the
// English and Chinese tokenizers, stemmers, stop words and normalizers, the Chinese ones reading the
// compact word list of zh-lexicon.ts: same training, same model file, same scores (the parity test
// in test/integration/nlu-engine.test.ts compares it with NlpManager message by message).
import { createRequire } from 'node:module';
import type { ZhLexicon } from './zh-lexicon.ts';

/** The part of the engine the classifier uses (NlpManager's names for it). */
export interface NlpEngine {
  addDocument(locale: string, utterance: string, intent: string): void;
  train(): Promise<void>;
  process(
    locale: string,
    utterance: string,
  ): Promise<{ intent: string; score: number; classifications?: Array<{ intent: string; score: number }> }>;
  export(minified?: boolean): string;
  import(data: string): void;
}

/** NlpManager's settings as the desk has always used them. */
export const NLP_SETTINGS = {
  languages: ['zh', 'en'],
  forceNER: false,
  autoSave: false,
  autoLoad: false,
  calculateSentiment: false,
  nlu: { log: false },
  ner: { builtins: [] },
};

const require = createRequire(import.meta.url);

interface Container {
  use(item: unknown): string;
  registerConfiguration(tag: string, configuration: Record<string, unknown>): void;
}
type Ctor = new (...args: any[]) => any;

/**
 * The engine, with Chinese segmented and stemmed through `lexicon`. The CommonJS packages are
 * required here, when the first model is built, not when the module is imported.
 */
export function createNlpEngine(lexicon: ZhLexicon): NlpEngine {
  const { containerBootstrap } = require('@nlpjs/core') as { containerBootstrap: () => Container };
  const { Nlp } = require('@nlpjs/nlp') as { Nlp: Ctor };
  const en = require('@nlpjs/lang-en-min') as Record<'TokenizerEn' | 'StemmerEn' | 'StopwordsEn' | 'NormalizerEn', Ctor>;
  const zh = require('@nlpjs/lang-zh') as Record<'TokenizerZh' | 'StemmerZh' | 'StopwordsZh' | 'NormalizerZh', Ctor>;

  // @nlpjs/lang-zh's Dictionary finds a word by indexing a plain object, so the names an object
  // inherits ("valueOf", "toString") count as words when segmenting: kept, so the tokens are the same.
  const inherited = (word: string) => Boolean((Object.prototype as Record<string, unknown>)[word]);
  const isWord = (word: string) => lexicon.has(word) || inherited(word);
  /** Dictionary.segment(): the longest word (at most 8 units) at each point, else one character. */
  const segment = (input: string): string[] => {
    const result: string[] = [];
    let text = input;
    while (text) {
      let seg: string | undefined;
      for (let i = Math.min(8, text.length); i >= 0; i -= 1) {
        const slice = text.substring(0, i);
        if (isWord(slice)) {
          seg = slice;
          break;
        }
      }
      seg ||= text.substring(0, 1);
      result.push(seg);
      text = text.slice(seg.length);
    }
    return result;
  };

  class TokenizerZh extends zh.TokenizerZh {
    innerTokenize(text: string): string[] {
      return segment(text);
    }
  }
  class StemmerZh extends zh.StemmerZh {
    /** StemmerZh.translateToEnglish() read from the lexicon (a word of no entry stays as it is). */
    translateToEnglish(token: string): string | undefined {
      return lexicon.has(token) ? (lexicon.get(token) ?? undefined) : token;
    }

    /** StemmerZh.getSegments() with the segmentation above. */
    getSegments(text: string): string[] {
      const result: string[] = [];
      let chars = '';
      for (const piece of segment(text)) {
        if (this.translate.isChineseChar(piece)) {
          if (chars) result.push(chars);
          chars = '';
          result.push(piece);
        } else {
          chars += piece;
        }
      }
      if (chars) result.push(chars);
      return result;
    }
  }

  const container = containerBootstrap();
  // As NlpManager configures it (it is part of the exported model).
  container.registerConfiguration('ner', { entityPreffix: '%', entitySuffix: '%' });
  for (const item of [
    en.TokenizerEn,
    en.StemmerEn,
    en.StopwordsEn,
    en.NormalizerEn,
    TokenizerZh,
    StemmerZh,
    zh.StopwordsZh,
    zh.NormalizerZh,
  ])
    container.use(item);
  const nlp = new Nlp({ ...NLP_SETTINGS, container });
  return {
    addDocument: (locale, utterance, intent) => nlp.addDocument(locale, utterance, intent),
    train: () => nlp.train(),
    process: (locale, utterance) => nlp.process(locale, utterance),
    export: (minified = false) => JSON.stringify(nlp.toJSON(), null, minified ? undefined : 2),
    import: (data) => nlp.fromJSON(JSON.parse(data)),
  };
}
