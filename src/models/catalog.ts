/**
 * The model catalog: known-good causal language models for transformers.js, with their download
 * size per dtype and the device each suits. Plain data; the picker renders it, the unit test
 * (catalog.test.ts) checks it.
 *
 * File layout (transformers.js 4.x, `AutoModelForCausalLM`): one session named `model`, read from
 * `onnx/model{suffix}.onnx` (or Optimum's older `onnx/decoder_model_merged{suffix}.onnx`, `layout: 'merged'`) where the suffix comes from the dtype (`DEFAULT_DTYPE_SUFFIX_MAPPING`
 * in transformers.js: fp32 → "", fp16 → "_fp16", q8 → "_quantized", q4 → "_q4", q4f16 → "_q4f16"),
 * plus `config.json`, `generation_config.json`, `tokenizer.json` and `tokenizer_config.json`.
 *
 * Sizes: the Hugging Face Hub is not reachable from where this catalog was written, so only the
 * embedded model's sizes are exact (measured on the committed files, and checked by the unit test).
 * Every other size is marked `approximate` and names its source in `sizeSource`.
 */
import { EMBEDDED_MODEL } from '../config.ts';

/** Weight formats transformers.js can load for a causal LM (the subset catalog entries use). */
export const DTYPES = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const;
export type Dtype = (typeof DTYPES)[number];

/** Where a model runs well: `wasm` (any browser, CPU) or `webgpu` (needs a GPU and WebGPU). */
export type SuitedDevice = 'wasm' | 'webgpu';

/**
 * Why an entry suits its device; each value has an i18n message `models.reason.<value>`.
 * - `embedded`: ships with the app, 10 MB, instant on any device.
 * - `small`: ≤ ~150 M parameters: a quantized file runs at interactive speed on the CPU (WASM).
 * - `medium`: ~0.3–0.6 B parameters: runs on WASM but each step takes noticeably longer; WebGPU is faster.
 * - `large`: ≥ ~1 B parameters: the download and per-step time need WebGPU with 16-bit weights.
 */
export type DeviceReason = 'embedded' | 'small' | 'medium' | 'large';

/** Picker groups; each has an i18n message `models.group.<value>`. */
export type CatalogGroup = 'classic' | 'small-instruct' | 'chinese' | 'webgpu';

export interface CatalogEntry {
  /** Hub model id (`owner/name`), or the embedded folder name for `source: 'embedded'`. */
  id: string;
  source: 'embedded' | 'hub';
  /** Display name (a proper name; not translated). */
  name: string;
  group: CatalogGroup | 'embedded';
  /** `model_type` in config.json (the architecture family). */
  family: 'gpt2' | 'llama' | 'qwen2' | 'qwen3';
  /** `architectures[0]` in config.json. */
  architecture: string;
  /** Number of parameters (weights), a count, not bytes. */
  params: number;
  /** ISO 639-1 codes of the languages the model was trained for. */
  languages: string[];
  /** True when the model writes (modern) Chinese well enough for a class demo. */
  chineseCapable: boolean;
  /**
   * `classical-only`: Chinese is among the training languages, but only classical poems and sayings
   * (the embedded toy: it does not write modern Chinese, measured in tools/model/README.md).
   */
  chineseNote?: 'classical-only';
  /** True for chat / instruction-tuned models (they expect a chat template). */
  instruct: boolean;
  /** SPDX id or the license's name. */
  license: string;
  /**
   * Download size in bytes per available dtype: the dtype's ONNX file(s) plus config, generation
   * config and tokenizer files. Only dtypes present in the repository are listed.
   */
  downloadBytes: Partial<Record<Dtype, number>>;
  /** The dtype the picker preselects. */
  defaultDtype: Dtype;
  device: SuitedDevice;
  deviceReason: DeviceReason;
  /** False only when the sizes were measured on the actual files. */
  approximate: boolean;
  /** Where the sizes come from (and, with `listedFiles`, the listing the entry was checked against, with its date). */
  sizeSource: string;
  /**
   * Session files: `model` (`onnx/model{suffix}.onnx`) or Optimum's older `merged` (`onnx/decoder_model_merged{suffix}.onnx`,
   * loaded with transformers.js `model_file_name`). The picker reads the live listing; this is what the entry was checked against.
   */
  layout: 'model' | 'merged';
  /** The repository's ONNX file names as listed where the entry was checked (`sizeSource` says where and when); checked by catalog.test.ts against `downloadBytes`. */
  listedFiles?: readonly string[];
  /** True when only WebGPU can run it at a usable speed or at all (the picker says "WebGPU only"). */
  requiresWebGPU: boolean;
}

const MB = 1_000_000;
/** tokenizer.json + tokenizer_config.json + config.json + generation_config.json of each family (approximate). */
const TOKENIZER_BYTES = { gpt2: 1.4 * MB, smollm2: 2.2 * MB, qwen: 7.0 * MB, llama3: 9.1 * MB } as const;

const ESTIMATE =
  'estimate from the parameter count (fp32 4 B, fp16 2 B, q8 ≈1 B per weight; q4/q4f16 ≈0.6 B per matrix weight with embeddings kept in fp32/fp16) plus tokenizer files; the Hub was not reachable to measure';

/** The catalog, embedded model first. */
export const CATALOG: readonly CatalogEntry[] = [
  {
    id: EMBEDDED_MODEL,
    source: 'embedded',
    name: 'tiny-bilingual-gpt2',
    group: 'embedded',
    family: 'gpt2',
    architecture: 'GPT2LMHeadModel',
    params: 1_918_400,
    languages: ['en', 'zh'],
    // trained on classical Chinese only: after 今天天气真, 好 is rank 13 (0.6 %) — see tools/model/README.md
    chineseCapable: false,
    chineseNote: 'classical-only',
    instruct: false,
    license: 'GPL-3.0-or-later',
    // onnx/model.onnx 10 292 054 + tokenizer.json 99 252 + config.json 547 + tokenizer_config.json 469 + generation_config.json 71
    downloadBytes: { fp32: 10_388_158 },
    defaultDtype: 'fp32',
    device: 'wasm',
    deviceReason: 'embedded',
    approximate: false,
    sizeSource: 'measured on public/models/tiny-bilingual-gpt2/ (checked by catalog.test.ts)',
    layout: 'model',
    listedFiles: ['onnx/model.onnx'],
    requiresWebGPU: false,
  },
  {
    id: 'Xenova/distilgpt2',
    source: 'hub',
    name: 'DistilGPT-2',
    group: 'classic',
    family: 'gpt2',
    architecture: 'GPT2LMHeadModel',
    params: 81_912_576,
    languages: ['en'],
    chineseCapable: false,
    instruct: false,
    license: 'Apache-2.0',
    downloadBytes: { fp32: 329 * MB + TOKENIZER_BYTES.gpt2, q8: 84 * MB + TOKENIZER_BYTES.gpt2 },
    defaultDtype: 'q8',
    device: 'wasm',
    deviceReason: 'small',
    approximate: true,
    sizeSource: `file names: the repository listing quoted in issue #15 (a stored copy of the Hub page, read 2026-12-06): only decoder_model* files (merged, with past, quantized), so it loads through onnx/decoder_model_merged{,_quantized}.onnx; sizes: ${ESTIMATE}`,
    layout: 'merged',
    listedFiles: [
      'onnx/decoder_model.onnx',
      'onnx/decoder_model_merged.onnx',
      'onnx/decoder_model_merged_quantized.onnx',
      'onnx/decoder_model_quantized.onnx',
      'onnx/decoder_with_past_model.onnx',
      'onnx/decoder_with_past_model_quantized.onnx',
    ],
    requiresWebGPU: false,
  },
  {
    id: 'Xenova/gpt2',
    source: 'hub',
    name: 'GPT-2 (124M)',
    group: 'classic',
    family: 'gpt2',
    architecture: 'GPT2LMHeadModel',
    params: 124_439_808,
    languages: ['en'],
    chineseCapable: false,
    instruct: false,
    license: 'MIT',
    downloadBytes: { fp32: 499 * MB + TOKENIZER_BYTES.gpt2, fp16: 250 * MB + TOKENIZER_BYTES.gpt2, q8: 127 * MB + TOKENIZER_BYTES.gpt2 },
    defaultDtype: 'q8',
    device: 'wasm',
    deviceReason: 'small',
    approximate: true,
    sizeSource: `${ESTIMATE}; file layout not checked against a listing (the picker reads the live one and offers only what exists)`,
    layout: 'model',
    requiresWebGPU: false,
  },
  {
    id: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    source: 'hub',
    name: 'SmolLM2 135M Instruct',
    group: 'small-instruct',
    family: 'llama',
    architecture: 'LlamaForCausalLM',
    params: 134_515_008,
    languages: ['en'],
    chineseCapable: false,
    instruct: true,
    license: 'Apache-2.0',
    downloadBytes: {
      fp32: 654 * MB + TOKENIZER_BYTES.smollm2,
      fp16: 327 * MB + TOKENIZER_BYTES.smollm2,
      q4: 200 * MB + TOKENIZER_BYTES.smollm2,
      q4f16: 134 * MB + TOKENIZER_BYTES.smollm2,
    },
    // no model_quantized.onnx: q8 is not offered; q4 (MatMulNBits, float32 scales) is the WASM default
    defaultDtype: 'q4',
    device: 'wasm',
    deviceReason: 'small',
    approximate: true,
    sizeSource:
      'ONNX file sizes as listed on the repository’s onnx/ folder (model.onnx 654 MB, model_fp16 327 MB, model_q4 200 MB, model_q4f16 134 MB, quoted in a public Q&A thread), rounded to MB, plus tokenizer files (estimate); file names also as quoted in issue #15 (a stored copy of the Hub page, read 2026-12-06)',
    layout: 'model',
    listedFiles: ['onnx/model.onnx', 'onnx/model_fp16.onnx', 'onnx/model_q4.onnx', 'onnx/model_q4f16.onnx'],
    requiresWebGPU: false,
  },
  {
    id: 'HuggingFaceTB/SmolLM2-360M-Instruct',
    source: 'hub',
    name: 'SmolLM2 360M Instruct',
    group: 'small-instruct',
    family: 'llama',
    architecture: 'LlamaForCausalLM',
    params: 361_821_120,
    languages: ['en'],
    chineseCapable: false,
    instruct: true,
    license: 'Apache-2.0',
    downloadBytes: {
      fp32: 1_448 * MB + TOKENIZER_BYTES.smollm2,
      fp16: 724 * MB + TOKENIZER_BYTES.smollm2,
      q4: 367 * MB + TOKENIZER_BYTES.smollm2,
      q4f16: 259 * MB + TOKENIZER_BYTES.smollm2,
    },
    defaultDtype: 'q4f16',
    device: 'webgpu',
    deviceReason: 'medium',
    approximate: true,
    sizeSource: `${ESTIMATE}; scaled from SmolLM2-135M's listed sizes`,
    layout: 'model',
    requiresWebGPU: false,
  },
  {
    id: 'onnx-community/Qwen2.5-0.5B-Instruct',
    source: 'hub',
    name: 'Qwen2.5 0.5B Instruct',
    group: 'chinese',
    family: 'qwen2',
    architecture: 'Qwen2ForCausalLM',
    params: 494_032_768,
    languages: ['zh', 'en', 'fr', 'es', 'pt', 'de', 'it', 'ru', 'ja', 'ko', 'vi', 'th', 'ar'],
    chineseCapable: true,
    instruct: true,
    license: 'Apache-2.0',
    downloadBytes: {
      fp32: 1_976 * MB + TOKENIZER_BYTES.qwen,
      fp16: 988 * MB + TOKENIZER_BYTES.qwen,
      q8: 500 * MB + TOKENIZER_BYTES.qwen,
      q4: 786 * MB + TOKENIZER_BYTES.qwen,
      q4f16: 483 * MB + TOKENIZER_BYTES.qwen,
    },
    defaultDtype: 'q4f16',
    device: 'webgpu',
    deviceReason: 'medium',
    approximate: true,
    sizeSource: ESTIMATE,
    layout: 'model',
    requiresWebGPU: false,
  },
  {
    id: 'onnx-community/Qwen3-0.6B-ONNX',
    source: 'hub',
    name: 'Qwen3 0.6B',
    group: 'chinese',
    family: 'qwen3',
    architecture: 'Qwen3ForCausalLM',
    params: 596_049_920,
    languages: ['zh', 'en', 'fr', 'es', 'pt', 'de', 'it', 'ru', 'ja', 'ko', 'vi', 'th', 'ar'],
    chineseCapable: true,
    instruct: true,
    license: 'Apache-2.0',
    downloadBytes: {
      fp32: 2_384 * MB + TOKENIZER_BYTES.qwen,
      fp16: 1_192 * MB + TOKENIZER_BYTES.qwen,
      q8: 600 * MB + TOKENIZER_BYTES.qwen,
      q4: 919 * MB,
      q4f16: 570 * MB,
    },
    defaultDtype: 'q4f16',
    device: 'webgpu',
    deviceReason: 'medium',
    approximate: true,
    sizeSource:
      'q4f16 570 MB and q4 919 MB: totals a public transformers.js app catalog summed from this repository’s file sizes (2026-10-05); fp32, fp16 and q8: ' +
      ESTIMATE,
    layout: 'model',
    requiresWebGPU: false,
  },
  {
    id: 'onnx-community/Llama-3.2-1B-Instruct-q4f16',
    source: 'hub',
    name: 'Llama 3.2 1B Instruct',
    group: 'webgpu',
    family: 'llama',
    architecture: 'LlamaForCausalLM',
    params: 1_235_814_400,
    languages: ['en', 'de', 'fr', 'it', 'pt', 'hi', 'es', 'th'],
    chineseCapable: false,
    instruct: true,
    license: 'Llama 3.2 Community License',
    // the q4f16-only export used by transformers.js-examples' llama-3.2-webgpu demo
    downloadBytes: { q4f16: 1_010 * MB + TOKENIZER_BYTES.llama3 },
    defaultDtype: 'q4f16',
    device: 'webgpu',
    deviceReason: 'large',
    approximate: true,
    sizeSource: ESTIMATE,
    layout: 'model',
    // q4f16 only, 1.2 B parameters: on the CPU it runs through inserted casts at a few seconds per token, if it fits at all
    requiresWebGPU: true,
  },
];

/** Picker group order. */
export const CATALOG_GROUPS: readonly CatalogGroup[] = ['classic', 'small-instruct', 'chinese', 'webgpu'];

/** The catalog entry with this id, if any. */
export function catalogEntry(id: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.id === id);
}

/**
 * The ONNX file transformers.js 4.x requests for a causal LM in this dtype
 * (`onnx/model{suffix}.onnx`, suffixes from its `DEFAULT_DTYPE_SUFFIX_MAPPING`).
 */
export function onnxFileName(dtype: Dtype, layout: CatalogEntry['layout'] = 'model'): string {
  const suffix: Record<Dtype, string> = { fp32: '', fp16: '_fp16', q8: '_quantized', q4: '_q4', q4f16: '_q4f16' };
  return `onnx/${layout === 'merged' ? 'decoder_model_merged' : 'model'}${suffix[dtype]}.onnx`;
}

/** The dtypes an entry offers, in DTYPES order. */
export function entryDtypes(entry: CatalogEntry): Dtype[] {
  return DTYPES.filter((d) => entry.downloadBytes[d] !== undefined);
}
