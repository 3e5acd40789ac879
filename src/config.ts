/** The model that ships in public/models/ and loads by default. */
export const EMBEDDED_MODEL = 'tiny-bilingual-gpt2';

export type ExampleKind = 'typical' | 'confident' | 'uncertain' | 'bytes' | 'eos' | 'settings';

/**
 * Example prompts for the embedded model, each chosen (by running the committed weights) to show
 * something worth teaching: a confident second step (" and" at 58 %), an uncertain first step
 * (top token 4 %), a byte token that holds part of a character (top token at 22 %, then 66 %), and
 * a continuation that ends on the end-of-sequence token within a few greedy steps, and a first step
 * where every sampling setting visibly changes the top 8 bars ("Then Jesus said unto": top token
 * 49.9 %; top-p 0.5 keeps 2 of the 8, min-p 0.1 keeps 4, top-k 5 keeps 5, T = 0.5 moves the top
 * bar by 30 points; measured in e2e/stage.spec.ts).
 */
export const EXAMPLE_PROMPTS: { text: string; lang: 'en' | 'zh'; kind: ExampleKind }[] = [
  { text: 'In the beginning God', lang: 'en', kind: 'typical' },
  { text: 'A fool and his money', lang: 'en', kind: 'confident' },
  { text: '白日依山尽，', lang: 'zh', kind: 'uncertain' },
  { text: '子曰：', lang: 'zh', kind: 'bytes' },
  { text: '人生', lang: 'zh', kind: 'eos' },
  { text: 'Then Jesus said unto', lang: 'en', kind: 'settings' },
];
