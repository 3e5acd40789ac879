// Optional cross-check: load the exported folder with @huggingface/transformers (Node) and compare
// token ids, last-position logits and greedy continuations with reference/tiny-bilingual-gpt2.json.
// Run from a directory where @huggingface/transformers is installed:
//   node /work/main/tools/model/check_transformersjs.mjs [models_dir] [reference.json]
import { AutoTokenizer, AutoModelForCausalLM, env } from '@huggingface/transformers';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modelsDir = process.argv[2] ?? path.join(here, '..', '..', 'public', 'models');
const refPath = process.argv[3] ?? path.join(here, 'reference', 'tiny-bilingual-gpt2.json');
env.localModelPath = modelsDir + '/';
env.allowRemoteModels = false;

const ref = JSON.parse(fs.readFileSync(refPath, 'utf8'));
const name = ref.model;
const tokenizer = await AutoTokenizer.from_pretrained(name);
const model = await AutoModelForCausalLM.from_pretrained(name, { dtype: 'fp32' });
let failures = 0;
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

for (const f of ref.forward) {
  const ids = tokenizer.encode(f.text);
  const okIds = same(ids, f.ids);
  // GPT-2's tokenizer adds nothing; Llama's prepends <s>, which is dropped before decoding
  const addedBos = ids.length > 0 && ids[0] === tokenizer.bos_token_id && !f.text.startsWith(tokenizer.bos_token);
  const decoded = tokenizer.decode(addedBos ? ids.slice(1) : ids);
  const inputs = tokenizer(f.text);
  const { logits } = await model(inputs);
  const [, T, V] = logits.dims;
  const last = Array.from(logits.data.slice((T - 1) * V, T * V));
  const maxDiff = Math.max(...last.map((x, i) => Math.abs(x - f.last_logits[i])));
  const ok = okIds && decoded === f.text && maxDiff < 1e-3;
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} forward ${f.name}: ids ${okIds}, round-trip ${decoded === f.text}, max |dlogit| ${maxDiff.toExponential(2)}`);
}
// many corpus lines (written by verify.py, GPT-2 model only): same ids as the python encoder
const samplePath = path.join(here, 'build', 'tokenizer_sample.json');
if (name === 'tiny-bilingual-gpt2' && fs.existsSync(samplePath)) {
  const sample = JSON.parse(fs.readFileSync(samplePath, 'utf8'));
  const bad = sample.filter((s) => !same(tokenizer.encode(s.text), s.ids) || tokenizer.decode(s.ids) !== s.text);
  if (bad.length) failures++;
  console.log(`${bad.length ? 'FAIL' : 'ok  '} ${sample.length} sample lines: python ids == transformers.js ids, decode round-trips` +
    (bad.length ? ` (${bad.length} differ, e.g. ${JSON.stringify(bad[0].text)})` : ''));
}
for (const g of ref.greedy ?? []) {
  const inputs = tokenizer(g.text);
  const out = await model.generate({ ...inputs, max_new_tokens: g.new_ids.length, do_sample: false });
  const newIds = Array.from(out.data.slice(g.ids.length), Number);
  let expected = g.new_ids;
  const eos = expected.indexOf(ref.eos_token_id);
  if (eos >= 0) expected = expected.slice(0, eos + 1);       // generate() stops at EOS
  const ok = same(newIds, expected);
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} greedy ${JSON.stringify(g.text)} -> ${JSON.stringify(tokenizer.decode(newIds))}`);
}
console.log(failures ? `${failures} failures` : 'all transformers.js checks passed');
process.exit(failures ? 1 : 0);
