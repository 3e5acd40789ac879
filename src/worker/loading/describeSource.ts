/**
 * The model card and a fingerprint of the weights, read beside the model load.
 */
import { chooseDtype, relativePath } from './modelInfo.ts';
import type { Device, ModelSource } from '../protocol.ts';

async function sha256Hex(parts: ArrayBuffer[]): Promise<string> {
  const hashes = await Promise.all(parts.map((p) => crypto.subtle.digest('SHA-256', p)));
  const joined = new Uint8Array(hashes.length * 32);
  hashes.forEach((h, i) => joined.set(new Uint8Array(h), i * 32));
  const all = await crypto.subtle.digest('SHA-256', joined);
  return Array.from(new Uint8Array(all), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Model card text and a SHA-256 over config.json, tokenizer.json and the ONNX file, for the dtype the
 * model loads with (chooseDtype on its config). Runs while the model loads (the files are fetched
 * and hashed off this thread's critical path; before, it ran after the load and delayed the first
 * distribution by ~0.4 s, bench P7). Never throws: the card and fingerprint are optional extras.
 */
export async function describeSource(
  source: ModelSource,
  modelsPath: string,
  pageUrl: string,
  opts: { device: Device; shaderF16: boolean },
): Promise<{ modelCard: string | null; fingerprint: string | null; dtype: string | null }> {
  const onnxName = (dtype: string) => `onnx/model${dtype === 'fp32' ? '' : dtype === 'q8' ? '_quantized' : `_${dtype}`}.onnx`;
  try {
    if (source.kind === 'folder') {
      const files = new Map(source.files.map((f) => [relativePath(f), f]));
      const card = files.get('README.md');
      const config = files.get('config.json');
      const dtype = chooseDtype(config ? (JSON.parse(await config.text()) as Record<string, unknown>) : {}, opts);
      const names = ['config.json', 'tokenizer.json', onnxName(dtype)];
      const parts = await Promise.all(names.map((n) => files.get(n)?.arrayBuffer() ?? Promise.resolve(new ArrayBuffer(0))));
      return { modelCard: card ? await card.text() : null, fingerprint: await sha256Hex(parts), dtype };
    }
    if (source.kind === 'embedded') {
      const base = new URL(`${modelsPath}${source.name}/`, pageUrl);
      // no-store, as the model load's own fetches (see loading/load.ts)
      const get = (n: string) => fetch(new URL(n, base), { cache: 'no-store' });
      const cardP = get('README.md').then((r) => (r.ok ? r.text() : null));
      const configBytes = await (await get('config.json')).arrayBuffer();
      const dtype = chooseDtype(JSON.parse(new TextDecoder().decode(configBytes)) as Record<string, unknown>, opts);
      const rest = await Promise.all(['tokenizer.json', onnxName(dtype)].map(async (n) => (await get(n)).arrayBuffer()));
      return { modelCard: await cardP, fingerprint: await sha256Hex([configBytes, ...rest]), dtype };
    }
    const host = source.host ?? 'https://huggingface.co/';
    const card = await fetch(`${host}${source.modelId}/resolve/${source.revision ?? 'main'}/README.md`).catch(() => null);
    return { modelCard: card && card.ok ? await card.text() : null, fingerprint: null, dtype: null };
  } catch {
    return { modelCard: null, fingerprint: null, dtype: null };
  }
}

