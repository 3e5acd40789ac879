"""Step 5: reference outputs from the torch model, for the app's tests (tools/model/reference/*.json).

Independent of the app: plain torch forward passes (no KV cache), float64 softmax / log-softmax.
Sections: forward (last-position logits), greedy (32 steps, never stops at EOS), beam (Hugging Face
`generate(num_beams=3, do_sample=False)` semantics), processors (repetition penalty -> temperature ->
top-k -> top-p -> min-p at the first step).
"""
import json
import math
import os

import numpy as np
import torch

from bpe import BPETokenizer
from config import BUILD, REFERENCE_JSON
from export import load_model

FORWARD_PROMPTS = [
    ("en", "In the beginning God created the heaven and the earth."),
    ("zh", "白日依山尽，黄河入海流。"),
    ("emoji", "I ❤️ 🦀 and 🤖!"),
    ("rare_cjk", "𠀀𪚥龘齉"),
]
LONG_SOURCE = (
    "In the beginning God created the heaven and the earth.\n"
    "And the earth was without form, and void; and darkness was upon the face of the deep. "
    "And the Spirit of God moved upon the face of the waters.\n"
    "And God said, Let there be light: and there was light.\n"
    "And God saw the light, that it was good: and God divided the light from the darkness.\n"
    "And God called the light Day, and the darkness he called Night. And the evening and the "
    "morning were the first day.\n\n学而时习之，不亦说乎？有朋自远方来，不亦乐乎？"
    "人不知而不愠，不亦君子乎？\n\nA fool and his money are soon parted.\n"
    "Never put off till tomorrow what you can do today. Never trust a computer you can't "
    "throw out a window. The best way to predict the future is to invent it. "
    "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"
    "And God said, Let there be a firmament in the midst of the waters, and let it divide the "
    "waters from the waters. And God made the firmament, and divided the waters which were under "
    "the firmament from the waters which were above the firmament: and it was so."
)
LONG_TOKENS = 240
GREEDY_PROMPTS = ["In the beginning God", "白日依山尽，", "Q: Why did the chicken"]
GREEDY_STEPS = 32
BEAM_PROMPTS = ["And God said,", "春眠不觉晓，处处闻啼鸟。"]   # the second one ends a poem: EOS hypotheses
BEAM = dict(num_beams=3, length_penalty=1.0, early_stopping=False, max_new_tokens=8)
PROCESSORS = dict(text="The Lord is my shepherd; the Lord", repetition_penalty=1.3, temperature=0.7,
                  top_k=20, top_p=0.9, min_p=0.05)


@torch.no_grad()
def last_logits(model, ids):
    """ids: list[int] -> float32 numpy [V] logits at the last position."""
    logits, _ = model(torch.tensor([ids], dtype=torch.int64))                 # [1, T, V]
    return logits[0, -1].numpy()


def log_softmax64(x):
    x = np.asarray(x, dtype=np.float64)
    m = x.max()
    return x - m - np.log(np.exp(x - m).sum())


def softmax64(x):
    return np.exp(log_softmax64(x))


def ranked(values):
    """Indices sorted by value descending, lower index first on ties."""
    return sorted(range(len(values)), key=lambda i: (-values[i], i))


def long_prompt(tok):
    """Longest prefix of LONG_SOURCE (whole pre-tokens) that encodes to <= LONG_TOKENS tokens."""
    best = ""
    pieces = [LONG_SOURCE[:i] for i in range(1, len(LONG_SOURCE) + 1)]
    lo, hi = 0, len(pieces) - 1                                                # binary search on length
    while lo <= hi:
        mid = (lo + hi) // 2
        text = pieces[mid].rstrip()
        if len(tok.encode(text)) <= LONG_TOKENS:
            best, lo = text, mid + 1
        else:
            hi = mid - 1
    return best


def greedy(model, tok, text):
    ids = tok.encode(text)
    seq, new_ids, steps = list(ids), [], []
    for _ in range(GREEDY_STEPS):
        logits = last_logits(model, seq)
        probs = softmax64(logits)
        order = ranked(logits.tolist())                                        # argmax, lowest id on ties
        top5 = order[:5]
        steps.append({"top5_ids": top5, "top5_probs": [float(probs[i]) for i in top5]})
        seq.append(order[0])
        new_ids.append(order[0])
    item = {"text": text, "ids": ids, "new_ids": new_ids, "steps": steps,
            "decoded": tok.decode(new_ids), "eos_in_new_ids": tok.eot_id in new_ids}
    return item


def beam_search(model, tok, text, num_beams, length_penalty, early_stopping, max_new_tokens):
    """Hugging Face's vectorised beam search for one prompt (no sampling, no logits processors).
    Running beams: (tokens, sum_logprobs). Finished: (tokens, sum_logprobs, score)."""
    assert early_stopping is False
    k, eos = num_beams, tok.eot_id
    prompt = tok.encode(text)
    running = [([], 0.0)] + [([], -1e9)] * (k - 1)      # only beam 0 is live at the first step
    finished = []
    for step in range(1, max_new_tokens + 1):           # step = generated length after this step
        cands = []                                      # (sum_logprobs, beam index, token id)
        for b, (toks, score) in enumerate(running):
            lp = log_softmax64(last_logits(model, prompt + toks))
            for t in range(len(lp)):
                cands.append((score + lp[t], b, t))
        # top 2k over beams x vocab; ties -> lower beam index, then lower token id
        cands.sort(key=lambda c: (-c[0], c[1], c[2]))
        top = cands[:2 * k]
        last_step = step == max_new_tokens
        new_running = []
        for rank, (s, b, t) in enumerate(top):
            toks = running[b][0] + [t]
            if t == eos or last_step:
                # EOS (or max length): a hypothesis only if within the top k of the 2k
                if rank < k:
                    finished.append((toks, s, s / (step ** length_penalty)))
            elif len(new_running) < k:
                new_running.append((toks, s))
        finished.sort(key=lambda h: -h[2])
        finished = finished[:k]
        running = new_running
        if last_step:
            break
        # early_stopping=False heuristic: stop if the best running beam can no longer beat
        # the worst of k finished hypotheses
        if len(finished) == k:
            best_running = running[0][1] / (step ** length_penalty)
            if not best_running > finished[-1][2]:
                break
    return {"text": text, "ids": prompt, "num_beams": num_beams, "length_penalty": length_penalty,
            "early_stopping": early_stopping, "max_new_tokens": max_new_tokens,
            "hypotheses": [{"new_ids": h[0], "sum_logprobs": float(h[1]), "score": float(h[2]),
                            "decoded": tok.decode(h[0])} for h in finished]}


def processors(model, tok, text, repetition_penalty, temperature, top_k, top_p, min_p):
    ids = tok.encode(text)
    raw = last_logits(model, ids)
    x = raw.astype(np.float64)
    for i in sorted(set(ids)):                                                 # repetition penalty
        x[i] = x[i] * repetition_penalty if x[i] < 0 else x[i] / repetition_penalty
    x = x / temperature                                                        # temperature
    kth = np.sort(x)[::-1][min(top_k, len(x)) - 1]                             # top-k (ties kept)
    x = np.where(x >= kth, x, -np.inf)
    p = softmax64(x)                                                           # top-p
    order = ranked(p.tolist())
    cum, keep = 0.0, np.zeros(len(x), dtype=bool)
    for i in order:
        if cum >= top_p - 1e-9:
            break
        keep[i] = True
        cum += p[i]
    keep[order[0]] = True
    x = np.where(keep, x, -np.inf)
    p = softmax64(x)                                                           # min-p
    x = np.where(p >= min_p * p.max(), x, -np.inf)
    probs = softmax64(x)
    return {"text": text, "ids": ids, "repetition_penalty": repetition_penalty,
            "temperature": temperature, "top_k": top_k, "top_p": top_p, "min_p": min_p,
            "raw_logits": raw.tolist(), "probs": probs.tolist(),
            "kept_ids": [int(i) for i in np.nonzero(probs > 0)[0]]}


def main():
    torch.set_num_threads(2)
    model, ck = load_model()
    tok = BPETokenizer.load(os.path.join(BUILD, "tokenizer.json"))
    prompts = FORWARD_PROMPTS + [("long", long_prompt(tok))]
    forward = []
    for name, text in prompts:
        ids = tok.encode(text)
        forward.append({"name": name, "text": text, "ids": ids,
                        "last_logits": last_logits(model, ids).tolist()})
        print(f"forward {name}: {len(ids)} tokens")
    ref = {
        "model": "tiny-bilingual-gpt2",
        "checkpoint_step": ck["step"],
        "vocab_size": tok.vocab_size,
        "eos_token_id": tok.eot_id,
        "forward": forward,
        "greedy": [greedy(model, tok, t) for t in GREEDY_PROMPTS],
        "beam": [beam_search(model, tok, t, **BEAM) for t in BEAM_PROMPTS],
        "processors": processors(model, tok, **PROCESSORS),
    }
    for g in ref["greedy"]:
        print(f"greedy {g['text']!r} -> {g['decoded']!r} (EOS: {g['eos_in_new_ids']})")
    for b in ref["beam"]:
        for h in b["hypotheses"]:
            print(f"beam {b['text']!r} -> {h['decoded']!r} {h['score']:.4f}")
    os.makedirs(os.path.dirname(REFERENCE_JSON), exist_ok=True)
    with open(REFERENCE_JSON, "w", encoding="utf-8") as f:
        json.dump(ref, f, ensure_ascii=False)
    print(f"wrote {REFERENCE_JSON}")


if __name__ == "__main__":
    main()
