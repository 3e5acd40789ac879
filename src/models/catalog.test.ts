import { describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { CATALOG, CATALOG_GROUPS, DTYPES, catalogEntry, entryDtypes, onnxFileName } from './catalog.ts';
import { EMBEDDED_MODEL } from '../config.ts';
import { en } from '../i18n/en.ts';
import { analyzeLayout, dtypeSupport } from './layout.ts';

const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const entrySchema = z
  .object({
    id: z.string().min(1),
    source: z.enum(['embedded', 'hub']),
    name: z.string().min(1),
    group: z.enum(['embedded', ...CATALOG_GROUPS]),
    family: z.enum(['gpt2', 'llama', 'qwen2', 'qwen3']),
    architecture: z.string().regex(/ForCausalLM$|LMHeadModel$/),
    params: z.number().int().positive(),
    languages: z.array(z.string().regex(/^[a-z]{2}$/)).min(1),
    chineseCapable: z.boolean(),
    chineseNote: z.enum(['classical-only']).optional(),
    instruct: z.boolean(),
    license: z.string().min(1),
    downloadBytes: z.partialRecord(z.enum(DTYPES), z.number().int().positive()),
    defaultDtype: z.enum(DTYPES),
    device: z.enum(['wasm', 'webgpu']),
    deviceReason: z.enum(['embedded', 'small', 'medium', 'large']),
    approximate: z.boolean(),
    sizeSource: z.string().min(10),
    layout: z.enum(['model', 'merged']),
    listedFiles: z.array(z.string().regex(/^onnx\/[\w.-]+\.onnx$/)).optional(),
    requiresWebGPU: z.boolean(),
  })
  .strict();

describe('CATALOG', () => {
  it.each(CATALOG.map((e) => [e.id, e] as const))('%s matches the schema', (_, entry) => {
    expect(() => entrySchema.parse(entry)).not.toThrow();
    expect(entryDtypes(entry).length).toBeGreaterThan(0);
    expect(entry.downloadBytes[entry.defaultDtype]).toBeGreaterThan(0);
    if (entry.source === 'hub') expect(entry.id).toMatch(HUB_ID);
    // Chinese-capable means Chinese is among the training languages
    if (entry.chineseCapable) expect(entry.languages).toContain('zh');
    // each dtype's download is at least the weights at that precision's lower bound (q4 ≈ 0.5 B per weight)
    for (const d of entryDtypes(entry)) expect(entry.downloadBytes[d]!).toBeGreaterThan(entry.params * (d === 'fp32' ? 4 : d === 'fp16' ? 2 : 0.5) * 0.95);
  });

  it.each(CATALOG.filter((e) => e.listedFiles).map((e) => [e.id, e] as const))('%s offers exactly the dtypes of the listing it was checked against', (_, e) => {
    const layout = analyzeLayout([...e.listedFiles!, 'config.json', 'tokenizer.json', 'tokenizer_config.json'].map((path) => ({ path })));
    expect(layout.kind).toBe(e.layout);
    expect(layout.dtypes.map((d) => d.dtype).sort()).toEqual(entryDtypes(e).sort());
    for (const d of entryDtypes(e)) expect(e.listedFiles).toContain(onnxFileName(d, e.layout));
    expect(e.sizeSource).toMatch(/20\d\d-\d\d-\d\d|measured/);
  });

  it('WebGPU-only entries are WebGPU entries, and a WASM entry’s default runs well on WASM', () => {
    for (const e of CATALOG) {
      if (e.requiresWebGPU) expect(e.device).toBe('webgpu');
      if (e.device === 'wasm') expect(dtypeSupport(e.defaultDtype, { device: 'wasm' })).toBe('yes');
    }
  });

  it('ids are unique', () => {
    const ids = CATALOG.map((e) => e.id.toLowerCase());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('fp32 > fp16 > q4f16 wherever a repository has them', () => {
    for (const e of CATALOG) {
      const b = e.downloadBytes;
      if (b.fp32 && b.fp16) expect(b.fp32).toBeGreaterThan(b.fp16);
      if (b.fp16 && b.q4f16) expect(b.fp16).toBeGreaterThan(b.q4f16);
      if (b.q4 && b.q4f16) expect(b.q4).toBeGreaterThan(b.q4f16);
    }
  });

  it('has the embedded model, with its size measured on the committed files', () => {
    const e = catalogEntry(EMBEDDED_MODEL);
    expect(e?.source).toBe('embedded');
    expect(e?.approximate).toBe(false);
    const dir = new URL(`../../public/models/${EMBEDDED_MODEL}/`, import.meta.url);
    const files = ['onnx/model.onnx', 'tokenizer.json', 'config.json', 'tokenizer_config.json', 'generation_config.json'];
    const bytes = files.reduce((s, f) => s + statSync(new URL(f, dir)).size, 0);
    expect(e?.downloadBytes.fp32).toBe(bytes);
    const config = JSON.parse(readFileSync(new URL('config.json', dir), 'utf8'));
    expect(e?.family).toBe(config.model_type);
    expect(e?.architecture).toBe(config.architectures[0]);
  });

  it('covers the lecture model, a Chinese-capable model and a WebGPU model', () => {
    expect(CATALOG.some((e) => e.family === 'gpt2' && e.source === 'hub')).toBe(true);
    expect(CATALOG.some((e) => e.chineseCapable && e.source === 'hub')).toBe(true);
    expect(CATALOG.some((e) => e.device === 'webgpu')).toBe(true);
  });

  it('every group and device reason has an English message', () => {
    const keys = Object.keys(en);
    for (const g of CATALOG_GROUPS) expect(keys).toContain(`models.group.${g}`);
    for (const e of CATALOG) expect(keys).toContain(`models.reason.${e.deviceReason}`);
  });
});

describe('onnxFileName(dtype)', () => {
  it.each([
    ['fp32', 'onnx/model.onnx'],
    ['fp16', 'onnx/model_fp16.onnx'],
    ['q8', 'onnx/model_quantized.onnx'],
    ['q4', 'onnx/model_q4.onnx'],
    ['q4f16', 'onnx/model_q4f16.onnx'],
  ] as const)('%s → %s', (d, f) => expect(onnxFileName(d)).toBe(f));
  it('merged layout → onnx/decoder_model_merged{suffix}.onnx', () => expect(onnxFileName('q8', 'merged')).toBe('onnx/decoder_model_merged_quantized.onnx'));
});
