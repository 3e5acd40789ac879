/**
 * Which files to load for a model source: the dtype, the session file's base name and the external-data
 * chunk count, decided from the source's file list when there is one (a folder always; the Hub or a
 * mirror when its listing could be read), else from the config hint and the device as transformers.js does.
 * Pure: the worker's loader reads the files and calls `planLoad`.
 */
import { EngineError } from '../engine/errors.ts';
import { DTYPE_SUFFIX, analyzeLayout, layoutProblem, loadOptions, preferredDtype, type ListedFile, type ModelLayout, type SessionBase } from './layout.ts';

export interface LoadPlan {
  dtype: string;
  /** transformers.js `model_file_name`; undefined leaves its default (`model`). */
  modelFileName?: SessionBase;
  /** transformers.js `use_external_data_format`: chunk count, false for none; undefined leaves the config's. */
  externalData?: number | false;
  /** The layout the plan was made from; null when no file list was available. */
  layout: ModelLayout | null;
}

/** The dtype transformers.js 4.3.1 picks with no file list: config hint, else fp16/fp32 on WebGPU, q8 on WASM. */
export function defaultDtype(config: Record<string, unknown>, opts: { dtype?: string; device: 'wasm' | 'webgpu'; shaderF16?: boolean }): string {
  const hint = configDtypeHint(config);
  return opts.dtype ?? hint ?? (opts.device === 'webgpu' ? (opts.shaderF16 ? 'fp16' : 'fp32') : 'q8');
}

/** `transformers.js_config.dtype` when it is a single string. */
export function configDtypeHint(config: Record<string, unknown>): string | null {
  const js = config['transformers.js_config'];
  const d = js && typeof js === 'object' ? (js as { dtype?: unknown }).dtype : undefined;
  return typeof d === 'string' ? d : null;
}

/**
 * Decides what to load.
 * @param files the source's files (paths relative to its root, sizes when known), or null when unknown
 * @param opts.dtype a dtype the user chose; it must exist in the list when there is one
 * @throws EngineError `model-missing-file` when the list lacks a required file or the chosen dtype's file, and
 *   `model-load` for a layout that cannot be loaded (the split decoder pair), each naming the files found
 */
export function planLoad(
  name: string,
  files: readonly ListedFile[] | null,
  config: Record<string, unknown>,
  opts: { dtype?: string; device: 'wasm' | 'webgpu'; shaderF16?: boolean },
): LoadPlan {
  if (!files) return { dtype: defaultDtype(config, opts), layout: null };
  const layout = analyzeLayout(files);
  const problem = layoutProblem(layout, name);
  if (problem) throw new EngineError(layout.missing.length || layout.kind === 'none' ? 'model-missing-file' : 'model-load', problem);
  const dtype = opts.dtype ?? preferredDtype(layout, { device: opts.device, shaderF16: opts.shaderF16 }, configDtypeHint(config))!;
  const o = loadOptions(layout, dtype);
  if (!o) {
    const have = layout.dtypes.map((d) => `${d.dtype} (${d.onnx})`).join(', ');
    throw new EngineError('model-missing-file', `${name}: missing file onnx/${layout.dtypes[0]?.base ?? 'model'}${DTYPE_SUFFIX[dtype] ?? `_${dtype}`}.onnx (dtype ${dtype}); the model has ${have}`);
  }
  return { dtype, modelFileName: o.model_file_name, externalData: o.use_external_data_format, layout };
}
