/** The model that ships in public/models/ and loads by default. */
export const EMBEDDED_MODEL = 'tiny-bilingual-gpt2';

export type ExampleKind = 'typical' | 'confident' | 'uncertain' | 'bytes' | 'eos';

/**
 * Example prompts for the embedded model, each chosen (by running the committed weights) to show
 * something worth teaching: a confident second step (" and" at 58 %), an uncertain first step
 * (top token 4 %), a byte token that holds part of a character (top token at 22 %, then 66 %), and
 * a continuation that ends on the end-of-sequence token within a few greedy steps.
 */
export const EXAMPLE_PROMPTS: { text: string; lang: 'en' | 'zh'; kind: ExampleKind }[] = [
  { text: 'In the beginning God', lang: 'en', kind: 'typical' },
  { text: 'A fool and his money', lang: 'en', kind: 'confident' },
  { text: '白日依山尽，', lang: 'zh', kind: 'uncertain' },
  { text: '子曰：', lang: 'zh', kind: 'bytes' },
  { text: '人生', lang: 'zh', kind: 'eos' },
];
