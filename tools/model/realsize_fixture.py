"""Real-size random-weight fixtures in the layouts real repositories use (not committed; cached).

Usage: /usr/bin/python3 tools/model/realsize_fixture.py --shape gpt2-124m --out DIR

Writes, for one model shape (random weights, seeded; real widths, depths and vocabulary):
  DIR/fp32/    config.json (no "transformers.js_config": as an Optimum export writes it), tokenizer files,
               onnx/model.onnx (one file)
  DIR/fp16/    the same, but only onnx/model_fp16.onnx + onnx/model_fp16.onnx_data (external data), converted
               from the fp32 ONNX graph with python3-onnx (weights, constants, casts, inputs and outputs in
               float16, as the fp16 exports on the Hub do)
  DIR/merged/  only onnx/decoder_model_merged.onnx: Optimum's older merged-decoder layout, an If node on the
               boolean input `use_cache_branch` choosing between a no-past graph and a with-past graph that
               share one set of weights
  DIR/q4/      only onnx/model_q4.onnx: every Linear's MatMul replaced by com.microsoft MatMulNBits (4-bit, blocks
               of 32 along K, symmetric: zero point 8, one float32 scale per block), packed in numpy
  DIR/reference.json  fp32 torch reference: prompt ids, last-position logits, 8 greedy ids per prompt; under "q4" the
               same for the torch model whose Linear weights are the q4 weights dequantized ((q - 8) × scale):
               the q4 file's own reference
  DIR/DONE     written last (a folder without it is an interrupted build)

These layouts were reproduced from Optimum's and transformers.js's documented file names
(`onnx/model{_fp16,...}.onnx`, `{file}.onnx_data`, `decoder_model_merged.onnx` + `use_cache_branch`), not
downloaded: the Hub is not reachable from where they were made.

Shapes: GPT-2 124M (12 layers, width 768, 12 heads, vocabulary 50,257, context 1,024), `gpt2-tiny`
(the same tokenizer and layouts on a 2-layer, width-64 body, for the browser tests) and `vocab262k` (Gemma 3's
262,144-entry vocabulary on that small body).
The tokenizer is GPT-2-style byte-level BPE: the embedded model's 3,743 learnt merges followed by synthetic
merges (seeded) up to the shape's vocabulary, `<|endoftext|>` last.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bpe import BPETokenizer  # noqa: E402
from config import EOT, ModelConfig, ROOT  # noqa: E402
from export import OnnxWrapper, export_decoder_onnx, hf_config  # noqa: E402
from model import GPT  # noqa: E402

SHAPES = {
    "gpt2-124m": dict(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12),
    "gpt2-tiny": dict(vocab_size=50257, n_positions=256, n_embd=64, n_layer=2, n_head=4),
    # Gemma 3's vocabulary size on a small body: the vocabulary-sized paths (tokenizer, logits, distribution)
    "vocab262k": dict(vocab_size=262144, n_positions=256, n_embd=64, n_layer=2, n_head=4),
}
SEED = 20261206
# larger than GPT-2's 0.02 init so the random model's logits spread like a trained model's (range ~20)
EMBED_STD = 0.12
PROMPTS = ["Hello world, the quick brown fox", "In the beginning God created the heaven and the earth."]
GREEDY_STEPS = 8
FP16_MAX = 65504.0


def make_tokenizer(vocab_size):
    """Embedded model's merges + seeded synthetic merges (new strings only) up to vocab_size - 1 tokens."""
    base = BPETokenizer.load(os.path.join(ROOT, "public", "models", "tiny-bilingual-gpt2", "tokenizer.json"))
    merges = list(base.merges)
    tokens = [t for t in base.tokens[:-1]]           # without <|endoftext|>
    seen = set(tokens)
    rng = random.Random(SEED)
    while len(tokens) < vocab_size - 1:
        a = rng.randrange(len(tokens))
        b = rng.randrange(256) if rng.random() < 0.5 else rng.randrange(len(tokens))
        s = tokens[a] + tokens[b]
        if s in seen or len(s) > 12:
            continue
        seen.add(s)
        tokens.append(s)
        merges.append((a, b))
    tok = BPETokenizer(merges)
    assert tok.vocab_size == vocab_size, (tok.vocab_size, vocab_size)
    return tok


def write_common(folder, cfg, tok):
    os.makedirs(os.path.join(folder, "onnx"), exist_ok=True)
    config = hf_config(cfg, tok.eot_id)
    del config["transformers.js_config"]            # no hint: the loader must read the file list
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": tok.eot_id, "eos_token_id": tok.eot_id}, f, indent=2)
    tok.save(os.path.join(folder, "tokenizer.json"))
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(tok.hf_tokenizer_config(cfg.n_positions), f, indent=2, ensure_ascii=False)


# ------------------------------------------------------------------------------------------------ fp16
def to_fp16(model):
    """float32 -> float16 everywhere in the graph (values clamped to ±65504), as onnxconverter-common's
    convert_float_to_float16(keep_io_types=False) does for these ops."""
    def conv_tensor(t):
        if t.data_type == TensorProto.FLOAT:
            a = numpy_helper.to_array(t).astype(np.float32)
            a = np.clip(a, -FP16_MAX, FP16_MAX).astype(np.float16)
            t.CopyFrom(numpy_helper.from_array(a, t.name))
    g = model.graph
    for t in g.initializer:
        conv_tensor(t)
    for n in g.node:
        for a in n.attribute:
            if a.type == onnx.AttributeProto.TENSOR:
                conv_tensor(a.t)
            if n.op_type == "Cast" and a.name == "to" and a.i == TensorProto.FLOAT:
                a.i = TensorProto.FLOAT16
    for v in list(g.input) + list(g.output) + list(g.value_info):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            v.type.tensor_type.elem_type = TensorProto.FLOAT16
    return model


# ---------------------------------------------------------------------------------------------- merged
class NoPastWrapper(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids):
        logits, presents = self.model(input_ids, attention_mask, position_ids, None)
        out = [logits]
        for k, v in presents:
            out += [k, v]
        return tuple(out)


def export_no_past(model, path, cfg):
    B, T = 2, 3
    ids = torch.randint(0, cfg.vocab_size, (B, T), generator=torch.Generator().manual_seed(0))
    mask = torch.ones(B, T, dtype=torch.int64)
    pos = torch.arange(T)[None].expand(B, T).contiguous()
    names_out = ["logits"] + [f"present.{i}.{kv}" for i in range(cfg.n_layer) for kv in ("key", "value")]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    for n in names_out[1:]:
        axes[n] = {0: "batch_size", 2: "total_sequence_length"}
    with torch.no_grad():
        torch.onnx.export(NoPastWrapper(model), (ids, mask, pos), path,
                          input_names=["input_ids", "attention_mask", "position_ids"], output_names=names_out,
                          dynamic_axes=axes, opset_version=14, do_constant_folding=True)


def merge_decoders(no_past, with_past):
    """Optimum's merged decoder: weights deduplicated by content into the main graph, an If on
    `use_cache_branch` (bool [1]) whose then-branch is the with-past graph and else-branch the no-past graph."""
    inits, by_hash = [], {}

    def branch(graph, prefix):
        rename = {}
        for t in graph.initializer:
            a = numpy_helper.to_array(t)
            h = hashlib.sha256(a.tobytes() + str((a.dtype, a.shape)).encode()).hexdigest()
            if h not in by_hash:
                by_hash[h] = f"shared_{len(by_hash)}"
                inits.append(numpy_helper.from_array(a, by_hash[h]))
            rename[t.name] = by_hash[h]
        outer = {i.name for i in with_past.graph.input}

        def rn(n):
            return n if n == "" or n in outer else rename.get(n, prefix + n)
        nodes = []
        for n in graph.node:
            m = onnx.NodeProto()
            m.CopyFrom(n)
            del m.input[:]
            m.input.extend(rn(x) for x in n.input)
            del m.output[:]
            m.output.extend(rn(x) for x in n.output)
            m.name = prefix + n.name
            nodes.append(m)
        outs = [helper.make_tensor_value_info(rn(o.name), o.type.tensor_type.elem_type, None) for o in graph.output]
        return helper.make_graph(nodes, prefix + "graph", [], outs)

    then_g = branch(with_past.graph, "with_past/")
    else_g = branch(no_past.graph, "no_past/")
    out_names = [o.name for o in with_past.graph.output]
    node = helper.make_node("If", ["use_cache_branch"], out_names, name="optimum::if",
                            then_branch=then_g, else_branch=else_g)
    inputs = list(with_past.graph.input) + [helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1])]
    graph = helper.make_graph([node], "merged_decoder", inputs, list(with_past.graph.output), inits)
    merged = helper.make_model(graph, opset_imports=with_past.opset_import, producer_name="realsize_fixture")
    merged.ir_version = with_past.ir_version
    onnx.checker.check_model(merged)
    return merged


# ------------------------------------------------------------------------------------------- reference
def reference(model, tok, cfg):
    out = {"shape": None, "vocab_size": cfg.vocab_size, "forward": [], "greedy": []}
    with torch.no_grad():
        for text in PROMPTS:
            ids = tok.encode(text)
            logits, _ = model(torch.tensor([ids]))
            out["forward"].append({"text": text, "ids": ids, "last_logits": [float(x) for x in logits[0, -1]]})
            seq = list(ids)
            for _ in range(GREEDY_STEPS):
                lg, _ = model(torch.tensor([seq]))
                seq.append(int(torch.argmax(lg[0, -1])))     # lowest id on ties
            out["greedy"].append({"text": text, "ids": ids, "new_ids": seq[len(ids):]})
    return out


# ------------------------------------------------------------------------------------------------- q4
Q4_BLOCK = 32


def quantize_q4(w):
    """torch Linear weight [N out, K in] -> (packed uint8 [N, K/32, 16], scales float32 [N * K/32], dequantized [N, K]).
    ONNX Runtime MatMulNBits layout: per output column n, blocks of 32 consecutive k; two 4-bit values per byte,
    the lower k in the low nibble; value = (q - 8) * scale."""
    n, k = w.shape
    assert k % Q4_BLOCK == 0, (n, k)
    blocks = w.reshape(n, k // Q4_BLOCK, Q4_BLOCK).astype(np.float32)
    scale = np.abs(blocks).max(axis=2) / 7.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(blocks / scale[..., None]) + 8, 0, 15).astype(np.uint8)
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
    deq = ((q.astype(np.float32) - 8.0) * scale[..., None]).reshape(n, k)
    return packed, scale.reshape(-1).astype(np.float32), deq


def to_q4(model_onnx, quantized):
    """Replaces MatMul(x, W) whose W is a quantized Linear's dequantized weight (transposed, [K, N]) by MatMulNBits."""
    g = model_onnx.graph
    inits = {t.name: t for t in g.initializer}
    by_bytes = {deq.T.astype(np.float32).tobytes(): (packed, scales) for packed, scales, deq in quantized}
    nodes, replaced, drop = [], 0, set()
    for node in g.node:
        w = inits.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        hit = by_bytes.get(numpy_helper.to_array(w).astype(np.float32).tobytes()) if w is not None else None
        if hit is None:
            nodes.append(node)
            continue
        packed, scales = hit
        kk, nn = numpy_helper.to_array(w).shape
        base = node.output[0] + "_q4"
        g.initializer.extend([numpy_helper.from_array(packed, base + "_B"), numpy_helper.from_array(scales, base + "_scales")])
        nodes.append(helper.make_node("MatMulNBits", [node.input[0], base + "_B", base + "_scales"], list(node.output),
                                      name=(node.name or base) + "_MatMulNBits", domain="com.microsoft",
                                      K=kk, N=nn, bits=4, block_size=Q4_BLOCK))
        drop.add(w.name)
        replaced += 1
    assert replaced == len(quantized), (replaced, len(quantized))
    del g.node[:]
    g.node.extend(nodes)
    keep = [t for t in g.initializer if t.name not in drop]
    del g.initializer[:]
    g.initializer.extend(keep)
    model_onnx.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model_onnx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", choices=sorted(SHAPES), required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    cfg = ModelConfig(**SHAPES[args.shape])
    out = os.path.abspath(args.out)
    tmp = out + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    tok = make_tokenizer(cfg.vocab_size)
    model = GPT(cfg)
    with torch.no_grad():
        torch.nn.init.normal_(model.wte.weight, std=EMBED_STD)
    model.eval()
    print(f"{args.shape}: {model.num_params():,} parameters", flush=True)

    ref = reference(model, tok, cfg)
    ref["shape"] = args.shape
    with open(os.path.join(tmp, "reference.json"), "w") as f:
        json.dump(ref, f)

    fp32 = os.path.join(tmp, "fp32")
    write_common(fp32, cfg, tok)
    fp32_onnx = os.path.join(fp32, "onnx", "model.onnx")
    export_decoder_onnx(model, fp32_onnx, cfg.vocab_size, cfg.n_layer, cfg.n_head, cfg.n_embd // cfg.n_head)
    print("fp32 exported", flush=True)

    fp16 = os.path.join(tmp, "fp16")
    write_common(fp16, cfg, tok)
    m16 = to_fp16(onnx.load(fp32_onnx))
    onnx.save_model(m16, os.path.join(fp16, "onnx", "model_fp16.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="model_fp16.onnx_data", size_threshold=1024)
    print("fp16 converted", flush=True)

    merged = os.path.join(tmp, "merged")
    write_common(merged, cfg, tok)
    no_past_path = os.path.join(tmp, "no_past.onnx")
    export_no_past(model, no_past_path, cfg)
    m = merge_decoders(onnx.load(no_past_path), onnx.load(fp32_onnx))
    os.remove(no_past_path)
    onnx.save_model(m, os.path.join(merged, "onnx", "decoder_model_merged.onnx"))
    print("merged built", flush=True)

    q4 = os.path.join(tmp, "q4")
    write_common(q4, cfg, tok)
    quantized = []
    with torch.no_grad():
        for name, mod in model.named_modules():
            if isinstance(mod, torch.nn.Linear):
                packed, scales, deq = quantize_q4(mod.weight.numpy())
                mod.weight.copy_(torch.from_numpy(deq))
                quantized.append((packed, scales, deq))
    ref["q4"] = reference(model, tok, cfg)
    with open(os.path.join(tmp, "reference.json"), "w") as f:
        json.dump(ref, f)
    deq_path = os.path.join(tmp, "dequantized.onnx")
    export_decoder_onnx(model, deq_path, cfg.vocab_size, cfg.n_layer, cfg.n_head, cfg.n_embd // cfg.n_head)
    mq = to_q4(onnx.load(deq_path), quantized)
    os.remove(deq_path)
    onnx.save_model(mq, os.path.join(q4, "onnx", "model_q4.onnx"))
    print(f"q4 packed ({len(quantized)} MatMulNBits)", flush=True)

    with open(os.path.join(tmp, "DONE"), "w") as f:
        f.write("ok\n")
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
