"""Step 6: checks.
 1. tokenizer: decode(encode(x)) == x for every corpus line, emoji, and rare CJK (byte fallback);
    the python encoder reproduces the ids stored in the reference file.
 2. ONNX graph (run by onnx_numpy.py) == torch: a batch-2 left-padded prefill, then two one-token
    decode steps feeding `present` back as `past_key_values` (what transformers.js does).
 3. model folder layout and size (<= 15 MB).
Exit code 1 on any failure.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch

import onnx_numpy
from bpe import BPETokenizer
from config import BUILD, MODEL_DIR, REFERENCE_JSON
from export import load_model

failures = []


def check(ok, msg):
    print(("ok   " if ok else "FAIL ") + msg)
    if not ok:
        failures.append(msg)


def check_tokenizer(tok):
    with open(os.path.join(BUILD, "corpus_lines.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    bad = [l for l in lines if tok.decode(tok.encode(l)) != l]
    check(not bad, f"round-trip of {len(lines)} corpus lines ({len(bad)} mismatches, e.g. {bad[:2]})")
    for text in ["I ❤️ 🦀 and 🤖!", "𠀀𪚥龘齉", "  spaces\t\ttabs\n\nnew lines  ", "<|endoftext|>x"]:
        ids = tok.encode(text)
        check(tok.decode(ids) == text, f"round-trip {text!r} -> {ids}")
    # a sample of lines + ids for check_transformersjs.mjs (transformers.js must give the same ids)
    tricky = ["I ❤️ 🦀 and 🤖!", "𠀀𪚥龘齉", "  spaces\t\ttabs\n\nnew lines  ", "don't I'll we've 'quoted'",
              "1234567 3.14159 ¼½", "Ünïcödé façade naïve", "子曰：學而時習之，不亦說乎？", "   ", "\n"]
    sample = [l for l in lines[::40] if l] + tricky
    with open(os.path.join(BUILD, "tokenizer_sample.json"), "w", encoding="utf-8") as f:
        json.dump([{"text": t, "ids": tok.encode(t)} for t in sample], f, ensure_ascii=False)
    rare = tok.encode("𠀀𪚥龘齉")
    check(any(i < 256 for i in rare), f"rare CJK falls back to byte tokens {rare}")
    with open(REFERENCE_JSON, encoding="utf-8") as f:
        ref = json.load(f)
    for item in ref["forward"] + ref["greedy"] + ref["beam"] + [ref["processors"]]:
        assert tok.encode(item["text"]) == item["ids"], item["text"]
    check(True, "reference ids match the python encoder")


def check_onnx(model):
    cfg = model.cfg
    H, D, L = cfg.n_head, cfg.n_embd // cfg.n_head, cfg.n_layer
    graph = onnx.load(os.path.join(MODEL_DIR, "onnx", "model.onnx"))
    onnx.checker.check_model(graph)
    # batch of 2: row 0 left-padded by 2 (attention_mask 0, position ids as transformers.js makes them)
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, cfg.vocab_size, (2, 7), generator=g)
    mask = torch.ones(2, 7, dtype=torch.int64)
    mask[0, :2] = 0
    past = [(np.zeros((2, H, 0, D), np.float32), np.zeros((2, H, 0, D), np.float32)) for _ in range(L)]
    for step in range(3):
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        new = ids if step == 0 else torch.randint(0, cfg.vocab_size, (2, 1), generator=g)
        if step > 0:
            mask = torch.cat([mask, torch.ones(2, 1, dtype=torch.int64)], dim=1)
            pos = (mask.cumsum(-1) - 1).clamp(min=0)
        pos = pos[:, -new.shape[1]:]
        feeds = {"input_ids": new.numpy(), "attention_mask": mask.numpy(), "position_ids": pos.numpy()}
        for i, (k, v) in enumerate(past):
            feeds[f"past_key_values.{i}.key"] = k
            feeds[f"past_key_values.{i}.value"] = v
        out = onnx_numpy.run(graph, feeds)
        with torch.no_grad():
            tpast = [(torch.from_numpy(k), torch.from_numpy(v)) for k, v in past]
            logits, presents = model(new, mask, pos, tpast)
        # compare only rows/positions that are not padding
        valid = mask[:, -new.shape[1]:].bool().numpy()
        diff = np.abs(out["logits"] - logits.numpy())[valid].max()
        kdiff = max(np.abs(out[f"present.{i}.key"] - presents[i][0].numpy()).max() for i in range(L))
        check(diff < 1e-4 and kdiff < 1e-4,
              f"onnx vs torch step {step} (T={new.shape[1]}, past={past[0][0].shape[2]}): "
              f"max |dlogits| {diff:.2e}, max |dkey| {kdiff:.2e}")
        past = [(out[f"present.{i}.key"], out[f"present.{i}.value"]) for i in range(L)]
    # a full un-batched forward equals the last-token logits of the reference file
    with open(REFERENCE_JSON, encoding="utf-8") as f:
        ref = json.load(f)
    for item in ref["forward"]:
        n = len(item["ids"])
        feeds = {"input_ids": np.array([item["ids"]], np.int64),
                 "attention_mask": np.ones((1, n), np.int64),
                 "position_ids": np.arange(n, dtype=np.int64)[None]}
        for i in range(L):
            feeds[f"past_key_values.{i}.key"] = np.zeros((1, H, 0, D), np.float32)
            feeds[f"past_key_values.{i}.value"] = np.zeros((1, H, 0, D), np.float32)
        out = onnx_numpy.run(graph, feeds)["logits"][0, -1]
        diff = np.abs(out - np.array(item["last_logits"], np.float32)).max()
        check(diff < 1e-4, f"onnx last logits == reference '{item['name']}' ({n} tokens): {diff:.2e}")


def check_folder():
    need = ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
            "onnx/model.onnx", "README.md"]
    for n in need:
        check(os.path.exists(os.path.join(MODEL_DIR, n)), f"{n} present")
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(MODEL_DIR) for f in fs)
    check(total <= 15 * 2 ** 20, f"model folder {total / 2 ** 20:.2f} MiB <= 15 MiB")


def main():
    torch.set_num_threads(2)
    model, _ = load_model()
    tok = BPETokenizer.load(os.path.join(MODEL_DIR, "tokenizer.json"))
    check_tokenizer(tok)
    check_onnx(model)
    check_folder()
    print("ALL CHECKS PASSED" if not failures else f"{len(failures)} FAILURES")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
