"""Real-size random-weight fixtures of the Llama family (not committed; cached): SmolLM2- and Qwen2.5-shaped.

Usage: /usr/bin/python3 tools/model/realsize_llama.py --shape smollm2-135m --out DIR

Where these differ from GPT-2 in the ways that break loaders: rotary positions, RMSNorm, SwiGLU, grouped-query
attention (the KV cache has fewer heads than the queries), tied input/output embeddings (no `lm_head` weight of its
own), q/k/v biases (Qwen2), and a 151,936-entry vocabulary.

Shapes (random weights, seeded):
  smollm2-135m  HuggingFaceTB/SmolLM2-135M's config: llama, 30 layers, width 576, 9 heads / 3 KV heads (head 64),
                MLP 1,536, vocabulary 49,152, tied embeddings, rope theta 100,000, RMSNorm eps 1e-5
  qwen2.5-0.5b-4l  Qwen/Qwen2.5-0.5B's config on 4 of its 24 layers: qwen2, width 896, 14 heads / 2 KV heads
                (head 64), MLP 4,864, q/k/v biases, vocabulary 151,936, tied embeddings, rope theta 1,000,000,
                RMSNorm eps 1e-6 (the full 24 layers in fp32 are ~2 GB, past what WASM holds beside its copy)
Writes:
  DIR/fp32/    config.json (no "transformers.js_config"), generation_config.json, tokenizer files, onnx/model.onnx
  DIR/q4/      only onnx/model_q4.onnx: every layer's Linear as com.microsoft MatMulNBits (4 bits, blocks of 32,
               packed in numpy as in realsize_fixture.py); the tied embedding/output matrix stays fp32
  DIR/q4f16/   only onnx/model_q4f16.onnx: that graph converted to float16 (MatMulNBits with float16 input, scales
               and output; float16 KV cache and logits)
  DIR/reference.json  torch reference (prompt ids, last-position logits, 8 greedy ids per prompt, no cache); "q4":
               the same for the torch model holding the dequantized q4 weights
  DIR/DONE     written last
The output layer is Gemm(h, E, transB=1) on the embedding matrix itself, so the tied matrix is stored once (torch
1.13 exports MatMul(h, Eᵀ) with a folded second copy; tie_output rewrites it). The tokenizer is the GPT-2-style
byte-level BPE of realsize_fixture.py grown to the shape's vocabulary (SmolLM2 and Qwen2 ship byte-level BPE too).
These layouts follow Optimum's and transformers.js's documented names; nothing was downloaded.
"""
import argparse
import json
import math
import os
import shutil
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from realsize_fixture import GREEDY_STEPS, PROMPTS, SEED, make_tokenizer, quantize_q4, to_fp16, to_q4  # noqa: E402
from tiny_llama_fixture import LlamaConfig, TinyLlama  # noqa: E402

SHAPES = {
    "smollm2-135m": dict(model_type="llama", arch="LlamaForCausalLM", bias=False,
                         cfg=dict(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                                  num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=8192,
                                  rms_norm_eps=1e-5, rope_theta=100000.0)),
    "qwen2.5-0.5b-4l": dict(model_type="qwen2", arch="Qwen2ForCausalLM", bias=True,
                            cfg=dict(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=4,
                                     num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=32768,
                                     rms_norm_eps=1e-6, rope_theta=1000000.0)),
}


class TiedLlama(TinyLlama):
    """TinyLlama with the output layer tied to the embedding (logits = h Eᵀ, exported as one Gemm) and optional
    q/k/v biases (Qwen2)."""

    def __init__(self, cfg, bias):
        super().__init__(cfg)
        del self.lm_head
        C = cfg.hidden_size
        if bias:
            for layer in self.layers:
                a = layer.self_attn
                for name in ("q_proj", "k_proj", "v_proj"):
                    old = getattr(a, name)
                    new = nn.Linear(old.in_features, old.out_features, bias=True)
                    with torch.no_grad():
                        new.weight.copy_(old.weight)
                        nn.init.normal_(new.bias, std=0.5)
                    setattr(a, name, new)
        # one matrix for both ends: logit std ≈ 3 over unit-RMS hidden states, like the untied fixture's head
        nn.init.normal_(self.embed_tokens.weight, std=3.0 / math.sqrt(C))

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        B, T = input_ids.shape
        P = past[0][0].shape[2] if past is not None else 0
        if position_ids is None:
            position_ids = torch.arange(P, P + T)[None].expand(B, T)
        freqs = position_ids[:, :, None].float() * self.inv_freq[None, None, :]
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]
        from model import causal_mask
        mask = causal_mask(T, P, attention_mask)
        x = self.embed_tokens(input_ids)
        presents = []
        for i, layer in enumerate(self.layers):
            pk, pv = past[i] if past is not None else (None, None)
            x, k, v = layer(x, cos, sin, mask, pk, pv)
            presents.append((k, v))
        h = self.norm(x)
        C = h.shape[-1]
        logits = nn.functional.linear(h.reshape(-1, C), self.embed_tokens.weight)   # [B·T, V]
        return logits.reshape(B, T, -1), presents


def tie_output(model_onnx, embedding):
    """torch 1.13 exports the tied output layer as MatMul(h, Eᵀ) with Eᵀ folded into a second initializer; this
    rewrites it as Gemm(h, E, transB=1) on the embedding's own initializer (one stored copy, as tied exports
    share it). `embedding` is the numpy matrix [V, C]."""
    g = model_onnx.graph
    inits = {t.name: t for t in g.initializer}
    emb = next(t.name for t in g.initializer if tuple(t.dims) == embedding.shape
               and np.array_equal(numpy_helper.to_array(t), embedding))
    target = embedding.T.tobytes()
    for i, n in enumerate(g.node):
        w = inits.get(n.input[1]) if n.op_type == "MatMul" and len(n.input) == 2 else None
        if w is None or tuple(w.dims) != embedding.T.shape or numpy_helper.to_array(w).tobytes() != target:
            continue
        g.node.remove(n)
        g.node.insert(i, helper.make_node("Gemm", [n.input[0], emb], list(n.output), name=n.name + "_tied", transB=1))
        g.initializer.remove(w)
        return model_onnx
    raise AssertionError("no MatMul on the transposed embedding")


def export(model, path, cfg):
    """The decoder with past, input/output names as transformers.js feeds them (see export.py), batch 2,
    3 new tokens, past 5 at trace time."""
    B, T, P = 2, 3, 5
    D = cfg.hidden_size // cfg.num_attention_heads
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, cfg.vocab_size, (B, T), generator=g)
    mask = torch.ones(B, P + T, dtype=torch.int64)
    pos = torch.arange(P, P + T)[None].expand(B, T).contiguous()
    past, names_in, names_out = [], ["input_ids", "attention_mask", "position_ids"], ["logits"]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(cfg.num_hidden_layers):
        for kv in ("key", "value"):
            past.append(torch.randn(B, cfg.num_key_value_heads, P, D, generator=g))
            names_in.append(f"past_key_values.{i}.{kv}")
            names_out.append(f"present.{i}.{kv}")
            axes[names_in[-1]] = {0: "batch_size", 2: "past_sequence_length"}
            axes[names_out[-1]] = {0: "batch_size", 2: "total_sequence_length"}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    from export import OnnxWrapper
    with torch.no_grad():
        torch.onnx.export(OnnxWrapper(model), (ids, mask, pos, *past), path, input_names=names_in,
                          output_names=names_out, dynamic_axes=axes, opset_version=14, do_constant_folding=True)
    m = tie_output(onnx.load(path), model.embed_tokens.weight.detach().numpy())
    onnx.checker.check_model(m)
    return m


def reference(model, tok, vocab_size):
    out = {"shape": None, "vocab_size": vocab_size, "forward": [], "greedy": []}
    with torch.no_grad():
        for text in PROMPTS:
            ids = tok.encode(text)
            logits, _ = model(torch.tensor([ids]))
            out["forward"].append({"text": text, "ids": ids, "last_logits": [float(x) for x in logits[0, -1]]})
            seq = list(ids)
            for _ in range(GREEDY_STEPS):
                lg, _ = model(torch.tensor([seq]))
                seq.append(int(torch.argmax(lg[0, -1])))
            out["greedy"].append({"text": text, "ids": ids, "new_ids": seq[len(ids):]})
    return out


def write_common(folder, spec, cfg, tok):
    os.makedirs(os.path.join(folder, "onnx"), exist_ok=True)
    c = spec["cfg"]
    config = {"model_type": spec["model_type"], "architectures": [spec["arch"]], **c,
              "head_dim": c["hidden_size"] // c["num_attention_heads"], "hidden_act": "silu",
              "tie_word_embeddings": True, "use_cache": True, "torch_dtype": "float32",
              "bos_token_id": tok.eot_id, "eos_token_id": tok.eot_id}
    if spec["model_type"] == "llama":
        config.update(attention_bias=False, mlp_bias=False)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": tok.eot_id, "eos_token_id": tok.eot_id}, f, indent=2)
    tok.save(os.path.join(folder, "tokenizer.json"))
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(tok.hf_tokenizer_config(c["max_position_embeddings"]), f, indent=2, ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", choices=sorted(SHAPES), required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    spec = SHAPES[args.shape]
    cfg = LlamaConfig(**spec["cfg"])
    out = os.path.abspath(args.out)
    tmp = out + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    tok = make_tokenizer(cfg.vocab_size)
    model = TiedLlama(cfg, spec["bias"]).eval()
    print(f"{args.shape}: {sum(p.numel() for p in model.parameters()):,} parameters", flush=True)
    ref = reference(model, tok, cfg.vocab_size)
    ref["shape"] = args.shape

    fp32 = os.path.join(tmp, "fp32")
    write_common(fp32, spec, cfg, tok)
    fp32_path = os.path.join(fp32, "onnx", "model.onnx")
    onnx.save_model(export(model, fp32_path, cfg), fp32_path)
    print("fp32 exported", flush=True)

    q4 = os.path.join(tmp, "q4")
    write_common(q4, spec, cfg, tok)
    quantized = []
    with torch.no_grad():
        for layer in model.layers:
            for mod in layer.modules():
                if isinstance(mod, nn.Linear):
                    packed, scales, deq = quantize_q4(mod.weight.numpy())
                    mod.weight.copy_(torch.from_numpy(deq))
                    quantized.append((packed, scales, deq))
    ref["q4"] = reference(model, tok, cfg.vocab_size)
    deq_path = os.path.join(tmp, "dequantized.onnx")
    mq = to_q4(export(model, deq_path, cfg), quantized)
    os.remove(deq_path)
    onnx.save_model(mq, os.path.join(q4, "onnx", "model_q4.onnx"))
    print(f"q4 packed ({len(quantized)} MatMulNBits)", flush=True)

    # q4f16: the q4 graph in float16 (activations, caches, logits, the MatMulNBits scales and the tied matrix),
    # as transformers.js's q4f16 exports are; checked against the same dequantized reference with the fp16 tolerance
    q4f16 = os.path.join(tmp, "q4f16")
    write_common(q4f16, spec, cfg, tok)
    onnx.save_model(to_fp16(mq), os.path.join(q4f16, "onnx", "model_q4f16.onnx"))
    print("q4f16 converted", flush=True)

    with open(os.path.join(tmp, "reference.json"), "w") as f:
        json.dump(ref, f)
    with open(os.path.join(tmp, "DONE"), "w") as f:
        f.write("ok\n")
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
