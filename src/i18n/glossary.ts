/** Terms kept in English in every language on purpose (the e2e test allows them). */
export const GLOSSARY: readonly string[] = [
  'Token by Token',
  'top-k',
  'top-p',
  'min-p',
  'logits',
  'softmax',
  'WebGPU',
  'WASM',
  'ONNX',
  // file formats of the picture export and the isolation headers named in the status bar
  'SVG',
  'PNG',
  // the constraint stage's format names (issue #21)
  'JSON',
  'JavaScript',
  // the acceptance rule's formula min(1, p(x)/q(x)) and residual max(0, p − q) (issue #21)
  'min',
  'max',
  'COOP',
  'COEP',
  'Hugging Face',
  'llama.cpp',
  'fp32',
  'BOS',
  'EOS',
  'NaN',
  'Home',
  'End',
  // Hugging Face's literal values of early_stopping
  'true',
  'false',
  'never',
  // units and abbreviations
  'ms',
  'nats',
  'bits',
  'ln',
  'Σ',
  // symbols and formula names used in the settings help and the beam ranking
  'k',
  'p',
  'T',
  'u',
  'L',
  'θ',
  'α',
  'p_i',
  'z',
  'z_i',
  'p_max',
  'min_p',
  'exp',
  'log',
];

/**
 * One glossary per language, shared by the UI messages and the lessons: the menus, the buttons
 * and the lesson texts use these words and no other spelling of the same idea (the
 * glossary test checks every message and every lesson against `AVOID`).
 */
export const TERMS = {
  en: { greedy: 'greedy', beamSearch: 'beam search', beamWidth: 'beam width', sampling: 'sampling', stepButton: 'Step', backButton: 'Back' },
  'zh-Hans': { greedy: '贪心', beamSearch: '束搜索', beamWidth: '束宽', sampling: '采样', stepButton: '下一步', backButton: '上一步' },
  'zh-Hant': { greedy: '貪婪', beamSearch: '集束搜尋', beamWidth: '集束寬度', sampling: '取樣', stepButton: '下一步', backButton: '上一步' },
} as const;

/** Other spellings of the glossary's ideas that must not appear in a language's messages or lessons. */
export const AVOID: Record<keyof typeof TERMS, readonly RegExp[]> = {
  en: [/forward ▶/i],
  'zh-Hans': [/贪婪/, /集束/, /前进 ?▶/],
  'zh-Hant': [/貪心/, /(?<!集)束搜尋/, /(?<!集)束寬/, /前進 ?▶/],
};
