/**
 * The decoder over the ONNX Runtime backend in Node (onnxruntime-node), as the worker builds it: for
 * integration tests that call the decoder directly.
 */
import { Decoder } from '../src/decoder/decoder.ts';
import { loadOrtBackend, type LoadOptions } from '../src/worker/loading/load.ts';
import type { ModelSource } from '../src/worker/protocol.ts';

/**
 * Loads a model and wraps it in a decoder.
 * @throws EngineError as loadOrtBackend
 */
export async function loadDecoder(source: ModelSource, opts: LoadOptions & { cacheBudgetBytes?: number }): Promise<Decoder> {
  return new Decoder(await loadOrtBackend(source, opts), { cacheBudgetBytes: opts.cacheBudgetBytes });
}
