"""Torch references for the attention view and the logit lens (issue #20) -> reference/attention.json.

Plain torch forwards of the committed embedded weights (read back from the ONNX file, embedded.py),
no KV cache, each over a node's whole sequence; what the app shows for a node is the newest
position's query. Per case: `ids` (the node's prompt + generated ids), `attention` [layers][heads][S]
(softmax rows of the last query over all S positions, float32 as torch computes them), `mean` [layers][S]
(the heads' average), `lens` per layer 0..L (row 0 the embeddings, row L the model's output): the top
`LENS_TOP` ids by lens logit and their probabilities (float64 softmax of that row), and `top_id` /
`top_prob` of the model's own next-token distribution.

Cases: a prompt, then greedy steps ("step"), and a branch (the rank-2 token instead of the greedy one,
then one greedy step), in English and Chinese.

  /usr/bin/python3 tools/model/attn_reference.py
"""
import json
import os

import numpy as np
import torch

from bpe import BPETokenizer
from config import HERE, MODEL_DIR
from embedded import load_embedded

OUT = os.path.join(HERE, "reference", "attention.json")
LENS_TOP = 5
PROMPTS = [("en", "In the beginning God"), ("zh", "白日依山尽，")]
STEPS = 2


def softmax64(x):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max())
    return e / e.sum()


def ranked(values):
    return sorted(range(len(values)), key=lambda i: (-values[i], i))


@torch.no_grad()
def readout(model, ids):
    """The node whose sequence is `ids`: attention of its last query and the logit lens there."""
    logits, _, atts, lens = model.forward_internals(torch.tensor([ids]))
    attention = [a[0, :, -1, :].tolist() for a in atts]                   # [L][H][S]
    mean = [a[0, :, -1, :].mean(dim=0).tolist() for a in atts]             # [L][S]
    rows = []
    for layer, row in enumerate(lens.numpy()):
        p = softmax64(row)
        top = ranked(row.tolist())[:LENS_TOP]
        rows.append({"layer": layer, "ids": top, "probs": [float(p[i]) for i in top]})
    p = softmax64(logits[0, -1].numpy())
    order = ranked(logits[0, -1].tolist())
    return {"ids": list(ids), "attention": attention, "mean": mean, "lens": rows,
            "top_id": order[0], "top_prob": float(p[order[0]]), "second_id": order[1]}


def main():
    torch.set_num_threads(2)
    model = load_embedded()
    tok = BPETokenizer.load(os.path.join(MODEL_DIR, "tokenizer.json"))
    cases = []
    for lang, text in PROMPTS:
        ids = tok.encode(text)
        node = readout(model, ids)
        cases.append({"name": f"{lang}-prompt", "text": text, "prompt_length": len(ids), **node})
        seq = list(ids)
        for k in range(STEPS):
            seq = seq + [node["top_id"]]
            node = readout(model, seq)
            cases.append({"name": f"{lang}-step{k + 1}", "text": text, "prompt_length": len(ids), **node})
        first = readout(model, ids)
        branch = ids + [first["second_id"]]
        node = readout(model, branch)
        cases.append({"name": f"{lang}-branch", "text": text, "prompt_length": len(ids), **node})
        node2 = readout(model, branch + [node["top_id"]])
        cases.append({"name": f"{lang}-branch-step1", "text": text, "prompt_length": len(ids), **node2})
    for c in cases:
        print(c["name"], len(c["ids"]), "lens tops", [r["ids"][0] for r in c["lens"]], "model top", c["top_id"])
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"model": "tiny-bilingual-gpt2", "lens_top": LENS_TOP, "cases": cases}, f, ensure_ascii=False)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
