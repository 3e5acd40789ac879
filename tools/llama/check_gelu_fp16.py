"""Why llama.cpp's log-probabilities differ from the ONNX model's by up to ~2e-3 nats: ggml's GELU table.

ggml-cpu (llama.cpp v0.4.0, ggml/src/ggml-cpu/vec.h:46 `#define GGML_GELU_FP16`) computes GELU through a
65,536-entry fp16 table: the input is rounded to fp16 and the output is stored as fp16. This script runs
our GPT-2 in numpy twice from the ONNX weights — once with the exact tanh GELU, once with ggml's fp16
table GELU — and compares both with a running llama-server's whole-vocabulary log-probabilities.
Start the server with `-fa off -ctk f32 -ctv f32` (no fp16 attention or KV cache) to isolate GELU:
measured on this model, exact vs server 1.1e-3 .. 2.0e-3, fp16-table vs server 1.4e-5 .. 2.4e-4.

Usage: /usr/bin/python3 tools/llama/check_gelu_fp16.py http://127.0.0.1:8080
"""
import json
import os
import sys
import urllib.request

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
MODEL = os.path.join(ROOT, "public", "models", "tiny-bilingual-gpt2", "onnx", "model.onnx")
REF = os.path.join(ROOT, "tools", "model", "reference", "tiny-bilingual-gpt2.json")


def load():
    m = onnx.load(MODEL)
    inits = {i.name: numpy_helper.to_array(i).astype(np.float32) for i in m.graph.initializer}
    # node names as "/model/h.0/..." (the plain export) or "/h.0/..." (the export with attention outputs, #20)
    mats = {("/model" + n.name if not n.name.startswith("/model/") else n.name): inits[x]
            for n in m.graph.node for x in n.input if x.startswith("onnx::MatMul")}
    return inits, mats


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def gelu_fp16_table(x):
    """ggml_vec_gelu_f32 with GGML_GELU_FP16: 0 below -10, identity above 10, else table[fp16(x)] as fp16."""
    y = gelu(x.astype(np.float16).astype(np.float32)).astype(np.float16).astype(np.float32)
    return np.where(x <= -10, 0, np.where(x >= 10, x, y))


def layer_norm(x, w, b):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + 1e-5) * w + b


def last_logprobs(I, M, ids, act, n_layer=4, n_head=4, C=160):
    T, D = len(ids), C // n_head
    x = I["model.wte.weight"][ids] + I["model.wpe.weight"][:T]                         # [T, C]
    for l in range(n_layer):
        h = layer_norm(x, I[f"model.h.{l}.ln_1.weight"], I[f"model.h.{l}.ln_1.bias"])
        qkv = h @ M[f"/model/h.{l}/attn/c_attn/MatMul"] + I[f"model.h.{l}.attn.c_attn.bias"]
        q, k, v = (t.reshape(T, n_head, D).transpose(1, 0, 2) for t in np.split(qkv, 3, -1))
        a = q @ k.transpose(0, 2, 1) / np.sqrt(D) + np.triu(np.full((T, T), -1e30), 1)
        a = np.exp(a - a.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        y = (a @ v).transpose(1, 0, 2).reshape(T, C)
        x = x + y @ M[f"/model/h.{l}/attn/c_proj/MatMul"] + I[f"model.h.{l}.attn.c_proj.bias"]
        h = layer_norm(x, I[f"model.h.{l}.ln_2.weight"], I[f"model.h.{l}.ln_2.bias"])
        h = act(h @ M[f"/model/h.{l}/mlp/c_fc/MatMul"] + I[f"model.h.{l}.mlp.c_fc.bias"])
        x = x + h @ M[f"/model/h.{l}/mlp/c_proj/MatMul"] + I[f"model.h.{l}.mlp.c_proj.bias"]
    x = layer_norm(x, I["model.ln_f.weight"], I["model.ln_f.bias"])
    z = (x[-1] @ I["model.wte.weight"].T).astype(np.float64)
    return z - (z.max() + np.log(np.exp(z - z.max()).sum()))


def main():
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
    I, M = load()
    ref = json.load(open(REF))
    for f in ref["forward"]:
        body = json.dumps({"prompt": f["ids"], "n_predict": 1, "n_probs": 4000, "temperature": 0}).encode()
        req = urllib.request.Request(url + "/completion", body, {"Content-Type": "application/json"})
        ans = json.load(urllib.request.urlopen(req))
        srv = np.zeros(4000)
        for t in ans["completion_probabilities"][0]["top_logprobs"]:
            srv[t["id"]] = t["logprob"]
        exact = last_logprobs(I, M, f["ids"], gelu)
        table = last_logprobs(I, M, f["ids"], gelu_fp16_table)
        print(f"{f['name']:>9}: max |logprob diff| exact GELU vs server {np.abs(exact - srv).max():.2e}, "
              f"fp16-table GELU vs server {np.abs(table - srv).max():.2e}")


if __name__ == "__main__":
    main()
