"""Seeded-sampling reference: which tokens the app must sample, computed independently of the app.

For each case: at every step, run the processors (repetition penalty -> temperature -> top-k -> top-p ->
min-p, Hugging Face semantics) on plain torch logits, draw u with random_reference.draw(seed, depth,
reroll=0, stream=0), and take the first token (descending probability, lower id first on ties) whose
cumulative probability exceeds u. Writes tools/model/reference/sampling.json.

Run after the model is trained: /usr/bin/python3 tools/model/sampling_reference.py
"""
import json
import os

import numpy as np
import torch

from bpe import BPETokenizer
from config import BUILD, REFERENCE_JSON
from export import load_model
from random_reference import draw
from reference import last_logits, ranked, softmax64

CASES = [
    dict(text="In the beginning God", seed=42, temperature=1.0, top_k=0, top_p=1.0, min_p=0.0, repetition_penalty=1.0),
    dict(text="白日依山尽，", seed=7, temperature=0.8, top_k=40, top_p=0.95, min_p=0.0, repetition_penalty=1.0),
    dict(text="And God said,", seed=2026, temperature=1.2, top_k=0, top_p=0.9, min_p=0.05, repetition_penalty=1.3),
]
STEPS = 10


def processed_probs(logits, context, c):
    x = logits.astype(np.float64)
    if c["repetition_penalty"] != 1.0:
        for i in sorted(set(context)):
            x[i] = x[i] * c["repetition_penalty"] if x[i] < 0 else x[i] / c["repetition_penalty"]
    x = x / c["temperature"]
    if 0 < c["top_k"] < len(x):
        kth = np.sort(x)[::-1][c["top_k"] - 1]
        x = np.where(x >= kth, x, -np.inf)
    if c["top_p"] < 1.0:
        p = softmax64(x)
        order = ranked(p.tolist())
        cum, keep = 0.0, np.zeros(len(x), dtype=bool)
        for i in order:
            if cum >= c["top_p"] - 1e-9:
                break
            keep[i] = True
            cum += p[i]
        x = np.where(keep, x, -np.inf)
    if c["min_p"] > 0:
        p = softmax64(x)
        x = np.where(p >= c["min_p"] * p.max(), x, -np.inf)
    return softmax64(x)


def sample(probs, u):
    cum = 0.0
    order = [i for i in ranked(probs.tolist()) if probs[i] > 0]
    for i in order:
        cum += probs[i]
        if cum > u:
            return i
    return order[-1]


def main():
    torch.set_num_threads(2)
    model, ck = load_model()
    tok = BPETokenizer.load(os.path.join(BUILD, "tokenizer.json"))
    out = []
    for c in CASES:
        ids = tok.encode(c["text"])
        seq, new_ids, us, probs_of_chosen = list(ids), [], [], []
        for depth in range(STEPS):
            probs = processed_probs(last_logits(model, seq), seq, c)
            u = draw(c["seed"], depth, 0, 0)
            t = sample(probs, u)
            seq.append(t)
            new_ids.append(t)
            us.append(u)
            probs_of_chosen.append(float(probs[t]))
        out.append({**c, "ids": ids, "new_ids": new_ids, "u": us, "final_probs": probs_of_chosen,
                    "decoded": tok.decode(new_ids)})
        print(f"{c['text']!r} seed {c['seed']} -> {tok.decode(new_ids)!r}")
    path = os.path.join(os.path.dirname(REFERENCE_JSON), "sampling.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"model": "tiny-bilingual-gpt2", "checkpoint_step": ck["step"], "cases": out}, f, ensure_ascii=False, indent=1)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
