// The nlu module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { type Classification, LazyNlu, type NluClassifier } from './classifier.ts';
export { type Intent, INTENTS_DIR, type OrderWords, REFUND_INTENTS } from './corpus.ts';
export { detectLanguage, opensRequest, scripts, wordPattern } from './text-features.ts';
