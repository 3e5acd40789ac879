/** The model that ships in public/models/ and loads by default. */
export const EMBEDDED_MODEL = 'tiny-bilingual-gpt2';

/** Example prompts for the embedded model, each showing something worth teaching. */
export const EXAMPLE_PROMPTS: { text: string; lang: 'en' | 'zh' }[] = [
  { text: 'In the beginning God', lang: 'en' },
  { text: 'And God said,', lang: 'en' },
  { text: '白日依山尽，', lang: 'zh' },
  { text: '子曰：', lang: 'zh' },
  { text: '龘', lang: 'zh' },
];
