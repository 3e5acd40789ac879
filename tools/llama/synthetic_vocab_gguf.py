"""A random-weight GPT-2 GGUF with a large vocabulary, to measure whole-vocabulary answers from llama-server.

Only for the latency measurement of issue #16 (step latency / the server's own timings at 50k and 152k
tokens): 2 layers, width 64, F32, vocabulary = the 256 byte tokens + synthetic pieces `t<i>` (byte-level
alphabet), no merges used. Not a language model; never committed.
Usage: python3 synthetic_vocab_gguf.py <vocab size> <out.gguf> --gguf-py <llama.cpp tree>/gguf-py
"""
import argparse
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vocab", type=int)
    ap.add_argument("out")
    ap.add_argument("--gguf-py", required=True)
    a = ap.parse_args()
    sys.path.insert(0, a.gguf_py)
    import gguf

    bs = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    byte_tokens = [chr(c) for _, c in sorted(zip(bs, cs))]
    tokens = byte_tokens + [f"t{i}" for i in range(a.vocab - 256)]
    C, L, N, V = 64, 2, 256, a.vocab
    rng = np.random.default_rng(0)
    w = gguf.GGUFWriter(a.out, "gpt2")
    w.add_name(f"synthetic-{V}")
    w.add_context_length(N)
    w.add_embedding_length(C)
    w.add_feed_forward_length(4 * C)
    w.add_block_count(L)
    w.add_head_count(4)
    w.add_layer_norm_eps(1e-5)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")
    w.add_token_list(tokens)
    w.add_token_types([gguf.TokenType.NORMAL] * V)
    w.add_token_merges(["t 0"])
    w.add_bos_token_id(0)
    w.add_eos_token_id(0)
    w.add_add_bos_token(False)
    r = lambda *s: (rng.standard_normal(s) * 0.02).astype(np.float32)  # noqa: E731
    w.add_tensor("token_embd.weight", r(V, C))
    w.add_tensor("position_embd.weight", r(N, C))
    w.add_tensor("output_norm.weight", np.ones(C, np.float32))
    w.add_tensor("output_norm.bias", np.zeros(C, np.float32))
    for i in range(L):
        for nm, shape in [("attn_norm.weight", (C,)), ("ffn_norm.weight", (C,))]:
            w.add_tensor(f"blk.{i}.{nm}", np.ones(shape, np.float32))
        for nm, shape in [("attn_norm.bias", (C,)), ("ffn_norm.bias", (C,)), ("attn_qkv.bias", (3 * C,)),
                          ("attn_output.bias", (C,)), ("ffn_up.bias", (4 * C,)), ("ffn_down.bias", (C,))]:
            w.add_tensor(f"blk.{i}.{nm}", np.zeros(shape, np.float32))
        w.add_tensor(f"blk.{i}.attn_qkv.weight", r(3 * C, C))
        w.add_tensor(f"blk.{i}.attn_output.weight", r(C, C))
        w.add_tensor(f"blk.{i}.ffn_up.weight", r(4 * C, C))
        w.add_tensor(f"blk.{i}.ffn_down.weight", r(C, 4 * C))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
