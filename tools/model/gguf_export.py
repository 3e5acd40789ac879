"""Write a Hugging Face-style GPT-2 folder of this project (ONNX + tokenizer) as a GGUF file for llama.cpp.

Used for the server-engine tests: llama.cpp's llama-server serves the embedded model
(public/models/tiny-bilingual-gpt2) and the chat fixture (test-fixtures/tiny-chat) from these files, and the
tests compare its tokenization and log-probabilities with the ONNX model's.

What is written (llama.cpp v0.4.0 `gpt2` architecture, src/models/gpt2.cpp):
- general.architecture = gpt2, all tensors F32, tied output (no `output.weight`: llama.cpp then uses
  `token_embd.weight` for the output layer).
- weights read back from the ONNX file: named initialisers `model.*` (embeddings, LayerNorms, biases) and the
  anonymous `onnx::MatMul_*` initialisers, each mapped to its layer through the MatMul node that consumes it
  (`/model/h.<i>/attn/c_attn/MatMul` ...). ONNX stores them as [in, out]; GGUF (like HF conversion of GPT-2's
  Conv1D) wants [out, in], so they are transposed.
- tokenizer.ggml.model = gpt2, tokenizer.ggml.pre = gpt-2 (GPT-2's regex, as our BPE), tokens in the
  byte-level unicode alphabet of tokenizer.json, merges in rank order, special tokens (added_tokens) as
  CONTROL tokens, add_bos_token false, bos/eos from config.json; for a chat model the end-of-turn token
  (`<|im_end|>`) as eot_token_id and the chat template from tokenizer_config.json.

Shapes: C n_embd, V vocab, N positions, F = 4C.
Usage: python3 gguf_export.py <model folder> <out.gguf> --gguf-py <llama.cpp tree>/gguf-py
Needs /usr/bin/python3 with Debian's python3-numpy, python3-yaml and python3-onnx; no torch.
"""
import argparse
import json
import os
import re
import sys

import numpy as np
import onnx
from onnx import numpy_helper

MATMUL_NODE = re.compile(r"^(?:/model)?/h\.(\d+)/(attn/c_attn|attn/c_proj|mlp/c_fc|mlp/c_proj)/MatMul$")
GGUF_MATMUL = {"attn/c_attn": "attn_qkv", "attn/c_proj": "attn_output", "mlp/c_fc": "ffn_up", "mlp/c_proj": "ffn_down"}
GGUF_NAMED = {"ln_1.weight": "attn_norm.weight", "ln_1.bias": "attn_norm.bias",
              "ln_2.weight": "ffn_norm.weight", "ln_2.bias": "ffn_norm.bias",
              "attn.c_attn.bias": "attn_qkv.bias", "attn.c_proj.bias": "attn_output.bias",
              "mlp.c_fc.bias": "ffn_up.bias", "mlp.c_proj.bias": "ffn_down.bias"}
END_OF_TURN = "<|im_end|>"


def read_onnx_tensors(path, n_layer):
    """{gguf tensor name: float32 array} from the project's exported decoder graph."""
    m = onnx.load(path)
    inits = {i.name: numpy_helper.to_array(i).astype(np.float32) for i in m.graph.initializer}
    out = {"token_embd.weight": inits["model.wte.weight"],          # [V, C]
           "position_embd.weight": inits["model.wpe.weight"],       # [N, C]
           "output_norm.weight": inits["model.ln_f.weight"],
           "output_norm.bias": inits["model.ln_f.bias"]}
    for i in range(n_layer):
        for src, dst in GGUF_NAMED.items():
            out[f"blk.{i}.{dst}"] = inits[f"model.h.{i}.{src}"]
    tied_output = None
    for node in m.graph.node:
        for x in node.input:
            if not x.startswith("onnx::MatMul") or x not in inits:
                continue
            hit = MATMUL_NODE.match(node.name)
            if hit:
                out[f"blk.{hit.group(1)}.{GGUF_MATMUL[hit.group(2)]}.weight"] = np.ascontiguousarray(inits[x].T)
            elif node.name in ("/model/MatMul", "/MatMul"):  # the wrapper module of #20's export has no "model" prefix
                tied_output = inits[x]                                # [C, V] = wte^T
            else:
                raise ValueError(f"unexpected MatMul initialiser {x} in node {node.name}")
    assert tied_output is not None and np.array_equal(tied_output.T, out["token_embd.weight"]), \
        "the output layer is not tied to the token embedding"
    expected = 4 + 12 * n_layer
    assert len(out) == expected, f"{len(out)} tensors, expected {expected}"
    return out


def byte_level_tokens(tok_json, vocab_size):
    """Token strings by id (GPT-2 byte-level alphabet) and the ids of the added special tokens."""
    vocab = tok_json["model"]["vocab"]
    tokens = [None] * vocab_size
    for text, i in vocab.items():
        tokens[i] = text
    special = set()
    for added in tok_json["added_tokens"]:
        tokens[added["id"]] = added["content"]
        if added.get("special"):
            special.add(added["id"])
    missing = [i for i, t in enumerate(tokens) if t is None]
    assert not missing, f"ids without a token: {missing[:10]}"
    return tokens, special


def merges_as_strings(tok_json):
    merges = tok_json["model"]["merges"]
    return [m if isinstance(m, str) else " ".join(m) for m in merges]


def export(folder, out_path, gguf_py):
    sys.path.insert(0, gguf_py)
    import gguf  # noqa: E402 (from the llama.cpp tree given on the command line)

    cfg = json.load(open(os.path.join(folder, "config.json")))
    tok_json = json.load(open(os.path.join(folder, "tokenizer.json")))
    tok_cfg = json.load(open(os.path.join(folder, "tokenizer_config.json")))
    assert cfg["model_type"] == "gpt2" and cfg["activation_function"] == "gelu_new", cfg
    assert tok_json["pre_tokenizer"]["type"] == "ByteLevel" and not tok_json["pre_tokenizer"]["add_prefix_space"]
    n_layer, n_embd, vocab_size = cfg["n_layer"], cfg["n_embd"], cfg["vocab_size"]
    tensors = read_onnx_tensors(os.path.join(folder, "onnx", "model.onnx"), n_layer)
    assert tensors["token_embd.weight"].shape == (vocab_size, n_embd)

    name = os.path.basename(os.path.normpath(folder))
    w = gguf.GGUFWriter(out_path, "gpt2")
    w.add_name(name)
    w.add_context_length(cfg["n_ctx"])
    w.add_embedding_length(n_embd)
    w.add_feed_forward_length(cfg.get("n_inner") or 4 * n_embd)
    w.add_block_count(n_layer)
    w.add_head_count(cfg["n_head"])
    w.add_layer_norm_eps(cfg["layer_norm_epsilon"])
    w.add_file_type(gguf.LlamaFileType.ALL_F32)

    tokens, special = byte_level_tokens(tok_json, vocab_size)
    types = [gguf.TokenType.CONTROL if i in special else gguf.TokenType.NORMAL for i in range(vocab_size)]
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges_as_strings(tok_json))
    ids = {t: i for i, t in enumerate(tokens)}
    w.add_bos_token_id(ids[tok_cfg["bos_token"]])
    w.add_eos_token_id(ids[tok_cfg["eos_token"]])
    w.add_unk_token_id(ids[tok_cfg["unk_token"]])
    w.add_add_bos_token(bool(tok_cfg.get("add_bos_token", False)))
    w.add_add_eos_token(False)
    if END_OF_TURN in ids:
        w.add_eot_token_id(ids[END_OF_TURN])
    if tok_cfg.get("chat_template"):
        w.add_chat_template(tok_cfg["chat_template"])

    for tname, arr in tensors.items():
        w.add_tensor(tname, np.ascontiguousarray(arr, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder")
    ap.add_argument("out")
    ap.add_argument("--gguf-py", required=True, help="the gguf-py folder of the llama.cpp tree")
    a = ap.parse_args()
    tmp = a.out + ".tmp"
    export(a.folder, tmp, a.gguf_py)
    os.replace(tmp, a.out)
    print(a.out)


if __name__ == "__main__":
    main()
