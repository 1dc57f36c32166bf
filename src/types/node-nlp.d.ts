// node-nlp ships no types; the desk uses only the manager's constructor (see src/nlu/classifier.ts).
declare module 'node-nlp' {
  export const NlpManager: new (settings: Record<string, unknown>) => unknown;
}
