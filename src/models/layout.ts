/**
 * "Load what is there": from a model folder's or repository's file list, which ONNX weight formats
 * (dtypes) exist, which external-data files each needs, and which session layout the files follow.
 * Pure: no fetch, no DOM; the folder loader, the hub listing and the picker call it.
 *
 * File names follow transformers.js 4.3.1 (`DEFAULT_DTYPE_SUFFIX_MAPPING` in src/utils/dtypes.js:
 * `onnx/{base}{suffix}.onnx`, external data `{file}_data`, `{file}_data_1`, … from
 * `getExternalDataChunkNames` in src/utils/model-loader.js) and Optimum's exports (`model.onnx`;
 * the older `decoder_model_merged.onnx` with a boolean `use_cache_branch` input, or the pair
 * `decoder_model.onnx` + `decoder_with_past_model.onnx`).
 */

/** One file of a folder or repository: path relative to its root (`onnx/model.onnx`), size in bytes when known. */
export interface ListedFile {
  path: string;
  size?: number;
}

/** transformers.js 4.3.1 dtype → file-name suffix. */
export const DTYPE_SUFFIX: Readonly<Record<string, string>> = {
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q2: '_q2',
  q1: '_q1',
  q4f16: '_q4f16',
  q2f16: '_q2f16',
  q1f16: '_q1f16',
  bnb4: '_bnb4',
};

/** Display and preference order of the dtypes (most faithful first). */
export const DTYPE_ORDER: readonly string[] = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4', 'q2', 'q2f16', 'q1', 'q1f16'];

/** Session base names a causal LM can be loaded from, in preference order. */
export const SESSION_BASES = ['model', 'decoder_model_merged'] as const;
export type SessionBase = (typeof SESSION_BASES)[number];

/** The files one dtype needs. */
export interface DtypeFiles {
  dtype: string;
  /** transformers.js `model_file_name` (`model` or `decoder_model_merged`). */
  base: SessionBase;
  /** `onnx/model_fp16.onnx`. */
  onnx: string;
  /** External data files in chunk order (`onnx/model_fp16.onnx_data`, `…_data_1`); empty when none. */
  externalData: string[];
  /** Bytes of the ONNX file and its external data; null when a size is unknown. */
  bytes: number | null;
}

/**
 * - `model`: `onnx/model*.onnx` (transformers.js 3/4 and current Optimum exports);
 * - `merged`: only `onnx/decoder_model_merged*.onnx` (older Optimum, one graph with `use_cache_branch`);
 * - `split`: `decoder_model*.onnx` + `decoder_with_past_model*.onnx` without a merged file (cannot be loaded);
 * - `none`: no usable ONNX file.
 */
export type LayoutKind = 'model' | 'merged' | 'split' | 'none';

export interface ModelLayout {
  kind: LayoutKind;
  /** Loadable dtypes in DTYPE_ORDER, all of the layout's base. */
  dtypes: DtypeFiles[];
  /** Every `.onnx` file in the list (sorted), for messages. */
  onnxFiles: string[];
  /** Required non-ONNX files that are missing (`config.json`, `tokenizer.json`, `tokenizer_config.json`). */
  missing: string[];
  /** Bytes of config, generation config and tokenizer files present; null when a size is unknown. */
  baseBytes: number | null;
}

const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
const SMALL_FILES = [...REQUIRED, 'generation_config.json'];

function parseOnnxName(path: string): { base: string; dtype: string } | null {
  const m = /^onnx\/(.+)\.onnx$/.exec(path);
  if (!m) return null;
  // longest suffix first, so model_q4f16 is q4f16 and not q4
  const suffixes = Object.entries(DTYPE_SUFFIX).sort((a, b) => b[1].length - a[1].length);
  for (const [dtype, suffix] of suffixes) {
    if (suffix && m[1].endsWith(suffix)) return { base: m[1].slice(0, -suffix.length), dtype };
  }
  return { base: m[1], dtype: 'fp32' };
}

/** External data chunks of an ONNX file in the list: `{f}_data`, `{f}_data_1`, … while consecutive. */
function externalDataOf(onnx: string, sizes: Map<string, number | undefined>): string[] {
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const name = `${onnx}_data${i === 0 ? '' : `_${i}`}`;
    if (!sizes.has(name)) return out;
    out.push(name);
  }
}

function sumSizes(names: string[], sizes: Map<string, number | undefined>): number | null {
  let n = 0;
  for (const f of names) {
    const s = sizes.get(f);
    if (s === undefined) return null;
    n += s;
  }
  return n;
}

/**
 * Reads a file list.
 * @param files paths relative to the model's root; duplicates are ignored.
 * @returns the layout; `dtypes` is empty when kind is `split` or `none`.
 */
export function analyzeLayout(files: readonly ListedFile[]): ModelLayout {
  const sizes = new Map<string, number | undefined>();
  for (const f of files) sizes.set(f.path.replace(/^\.?\//, ''), f.size);
  const onnxFiles = [...sizes.keys()].filter((p) => p.endsWith('.onnx')).sort();
  const byBase = new Map<string, DtypeFiles[]>();
  for (const p of onnxFiles) {
    const parsed = parseOnnxName(p);
    if (!parsed) continue;
    const ext = externalDataOf(p, sizes);
    const entry: DtypeFiles = { dtype: parsed.dtype, base: parsed.base as SessionBase, onnx: p, externalData: ext, bytes: sumSizes([p, ...ext], sizes) };
    byBase.set(parsed.base, [...(byBase.get(parsed.base) ?? []), entry]);
  }
  const ordered = (list: DtypeFiles[]) => DTYPE_ORDER.flatMap((d) => list.filter((e) => e.dtype === d));
  let kind: LayoutKind = 'none';
  let dtypes: DtypeFiles[] = [];
  if (byBase.has('model')) {
    kind = 'model';
    dtypes = ordered(byBase.get('model')!);
  } else if (byBase.has('decoder_model_merged')) {
    kind = 'merged';
    dtypes = ordered(byBase.get('decoder_model_merged')!);
  } else if (byBase.has('decoder_model') || byBase.has('decoder_with_past_model')) {
    kind = 'split';
  }
  const present = SMALL_FILES.filter((f) => sizes.has(f));
  return {
    kind,
    dtypes,
    onnxFiles,
    missing: REQUIRED.filter((f) => !sizes.has(f)),
    baseBytes: sumSizes(present, sizes),
  };
}

/**
 * Why a layout cannot be loaded, naming the files found and what is needed; null when it can.
 * English, for the error message (the UI shows it under the load error's translated title).
 */
export function layoutProblem(layout: ModelLayout, name: string): string | null {
  if (layout.missing.length) return `${name}: missing file ${layout.missing.join(', ')}`;
  const found = layout.onnxFiles.length ? layout.onnxFiles.join(', ') : 'no .onnx file';
  if (layout.kind === 'split') {
    return (
      `${name}: found ${found} — the separate decoder_model.onnx + decoder_with_past_model.onnx layout is not supported; ` +
      'needs onnx/model.onnx (or onnx/model_{dtype}.onnx), or onnx/decoder_model_merged.onnx with its use_cache_branch input ' +
      '(Optimum merges the pair with `optimum-cli export onnx` or `merge_decoders`)'
    );
  }
  if (layout.kind === 'none') return `${name}: found ${found}; needs onnx/model.onnx or onnx/model_{dtype}.onnx (e.g. model_quantized.onnx, model_fp16.onnx)`;
  return null;
}

/** What a device can run, for preselection and for the picker's note. */
export interface DeviceCaps {
  device: 'wasm' | 'webgpu';
  /** WebGPU adapter with `shader-f16`. */
  shaderF16?: boolean;
}

/**
 * Whether a dtype runs on a device with ONNX Runtime Web 1.2x as transformers.js 4.3.1 configures it:
 * WASM (CPU) runs fp32, q8/int8/uint8 and q4 (MatMulNBits with float32 scales); fp16 and q4f16 run
 * on the CPU only through inserted casts (slow, twice the memory of the weights' file while compiling);
 * WebGPU runs fp16 and q4f16 only with `shader-f16`; bnb4 and q2/q1 are not supported by either.
 * @returns 'yes', 'slow' (works, but a better format for this device exists) or 'no'.
 */
export function dtypeSupport(dtype: string, caps: DeviceCaps): 'yes' | 'slow' | 'no' {
  if (dtype === 'bnb4' || /^q[12]/.test(dtype)) return 'no';
  if (caps.device === 'webgpu') {
    if (dtype === 'fp16' || dtype === 'q4f16') return caps.shaderF16 ? 'yes' : 'no';
    return dtype === 'fp32' || dtype === 'q4' ? 'yes' : 'slow';
  }
  return dtype === 'fp16' || dtype === 'q4f16' ? 'slow' : 'yes';
}

/** Per-device preference: first available wins. */
const PREFERENCE: Record<'wasm' | 'webgpu-f16' | 'webgpu', string[]> = {
  wasm: ['q8', 'int8', 'uint8', 'q4', 'fp32', 'q4f16', 'fp16'],
  'webgpu-f16': ['q4f16', 'fp16', 'q4', 'fp32', 'q8'],
  webgpu: ['q4', 'fp32', 'q8'],
};

/**
 * The dtype to preselect: a config hint (`transformers.js_config.dtype`) when that file exists, else the
 * best available for the device (WASM: q8 > q4 > fp32 > q4f16 > fp16; WebGPU with shader-f16:
 * q4f16 > fp16 > q4 > fp32 > q8; without: q4 > fp32 > q8), else the first available.
 * @returns null when the layout offers no dtype.
 */
export function preferredDtype(layout: ModelLayout, caps: DeviceCaps, hint?: string | null): string | null {
  const have = new Set(layout.dtypes.map((d) => d.dtype));
  if (hint && have.has(hint)) return hint;
  const key = caps.device === 'wasm' ? 'wasm' : caps.shaderF16 ? 'webgpu-f16' : 'webgpu';
  return PREFERENCE[key].find((d) => have.has(d)) ?? layout.dtypes[0]?.dtype ?? null;
}

/** The transformers.js `from_pretrained` options that load one dtype of a layout. */
export function loadOptions(layout: ModelLayout, dtype: string): { model_file_name: SessionBase; use_external_data_format: number | false; dtype: string } | null {
  const files = layout.dtypes.find((d) => d.dtype === dtype);
  if (!files) return null;
  return { model_file_name: files.base, use_external_data_format: files.externalData.length || false, dtype };
}

/** Total bytes to download for a dtype (ONNX + external data + small files), null when unknown. */
export function downloadBytes(layout: ModelLayout, dtype: string): number | null {
  const files = layout.dtypes.find((d) => d.dtype === dtype);
  if (!files || files.bytes === null || layout.baseBytes === null) return null;
  return files.bytes + layout.baseBytes;
}
