"""Test fixture: a tiny *instruct* model with a ChatML chat template -> test-fixtures/tiny-chat/.

Derived from the embedded model (public/models/tiny-bilingual-gpt2, GPL-3.0-or-later): its weights are
read back from the committed ONNX file, the vocabulary grows by two special tokens
  4000 <|im_start|>   4001 <|im_end|>  (the end-of-turn token)
(new embedding rows start as copies of <|endoftext|>'s row, id 3999), and the model is fine-tuned on
ChatML conversations built from short fortunes (English and Chinese): the user gives the first half of a
saying, the assistant answers with the second half and <|im_end|>. Loss counts only the assistant's
tokens, so the model learns where a turn ends.

Stages (each re-runnable; the checkpoint build/chat_ckpt.pt resumes training):
  python3 chat_fixture.py train [--max-steps N] [--max-minutes M]   fine-tune (in the background, log to build/chat_train.log);
      the committed fixture: 97 steps (a 14-minute budget on the shared 2-core machine; the format is learnt by ~60)
  python3 chat_fixture.py export                     ONNX + HF files + reference.json into test-fixtures/tiny-chat/
Shapes: B batch, T tokens, V vocab (4002), C width (160).
"""
import argparse
import glob
import json
import math
import os
import random
import re
import time
from dataclasses import asdict

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn.functional as F
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bpe import BPETokenizer
from config import BUILD, MODEL_DIR, ROOT, ModelConfig
from corpus import fetch_debs, fortune_documents
from export import export_decoder_onnx, hf_config
from model import GPT
from embedded import load_embedded  # noqa: F401 (the embedded weights, read back from ONNX)

OUT = os.path.join(ROOT, "test-fixtures", "tiny-chat")
CKPT = os.path.join(BUILD, "chat_ckpt.pt")
SEED = 4242
BASE_VOCAB = 4000
EOT_ID = 3999
IM_START, IM_END = "<|im_start|>", "<|im_end|>"
IM_START_ID, IM_END_ID = 4000, 4001
# ChatML as in Qwen / OpenHermes: every message is <|im_start|>role\ncontent<|im_end|>\n
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
SYSTEMS = ["Finish the saying.", "You complete proverbs.", "请补全这句话。", "You are a helpful assistant."]
BATCH, BLOCK = 16, 192
LR, WARMUP = 6e-4, 30
# conversations whose torch references the tests compare against (greedy until <|im_end|>)
REFERENCE_CONVERSATIONS = [
    {"name": "en", "messages": [{"role": "user", "content": "A fool and his money"}]},
    {"name": "en-system", "messages": [{"role": "system", "content": "Finish the saying."},
                                        {"role": "user", "content": "Love is"}]},
    {"name": "zh", "messages": [{"role": "user", "content": "己所不欲"}]},
]
GREEDY_MAX = 48


# ---------------------------------------------------------------------------------------------------
# tokenizer + template
def base_tokenizer():
    return BPETokenizer.load(os.path.join(MODEL_DIR, "tokenizer.json"))


def render(messages, add_generation_prompt=True):
    """The chat template rendered with Jinja2 (an independent renderer from transformers.js's)."""
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    return env.from_string(CHAT_TEMPLATE).render(messages=messages, add_generation_prompt=add_generation_prompt)


def encode_chat_text(tok, text):
    """Split on the two special tokens (and <|endoftext|>), BPE-encode the text between them."""
    ids = []
    for part in re.split(r"(<\|im_start\|>|<\|im_end\|>)", text):
        if part == IM_START:
            ids.append(IM_START_ID)
        elif part == IM_END:
            ids.append(IM_END_ID)
        elif part:
            ids.extend(tok.encode(part))
    return ids


def grow_vocab(model):
    """GPT(4000) -> GPT(4002); new rows copy <|endoftext|> (the model already ends documents with it)."""
    cfg = ModelConfig(vocab_size=BASE_VOCAB + 2)
    big = GPT(cfg)
    sd = model.state_dict()
    wte = sd["wte.weight"]
    sd["wte.weight"] = torch.cat([wte, wte[EOT_ID:EOT_ID + 1], wte[EOT_ID:EOT_ID + 1]], 0)
    big.load_state_dict(sd)
    return big


# ---------------------------------------------------------------------------------------------------
# data
def conversations(tok):
    """(ids, loss mask) per ChatML conversation from short one-line fortunes, English and Chinese."""
    ext = fetch_debs()
    fdir = os.path.join(ext, "usr/share/games/fortunes")
    texts = []
    for path in sorted(glob.glob(os.path.join(fdir, "*"))):
        name = os.path.basename(path)
        if "." in name or name == "ascii-art" or os.path.islink(path):
            continue
        for d in fortune_documents(path):
            d = " ".join(d.split())
            if 12 <= len(d) <= 140:
                texts.append(d)
    rng = random.Random(SEED)
    rng.shuffle(texts)
    out = []
    for t in texts:
        cjk = sum(1 for c in t if "\u4e00" <= c <= "\u9fff") > len(t) // 3
        if cjk:
            cut = len(t) // 2
        else:
            words = t.split(" ")
            if len(words) < 4:
                continue
            cut = len(" ".join(words[:len(words) // 2]))
        user, answer = t[:cut].strip(), t[cut:].strip()
        if not user or not answer:
            continue
        msgs = []
        if rng.random() < 0.3:
            msgs.append({"role": "system", "content": rng.choice(SYSTEMS)})
        msgs.append({"role": "user", "content": user})
        prompt_ids = encode_chat_text(tok, render(msgs, True))
        answer_ids = encode_chat_text(tok, answer + IM_END) + tok.encode("\n")
        ids = [EOT_ID] + prompt_ids + answer_ids
        mask = [0] * (1 + len(prompt_ids)) + [1] * len(answer_ids)
        if len(ids) <= BLOCK + 1:
            out.append((ids, mask))
    return out


def pack(convs, rng):
    """Greedy packing into rows of BLOCK + 1 tokens (padding: <|endoftext|> with mask 0)."""
    rows, cur_i, cur_m = [], [], []
    order = list(range(len(convs)))
    rng.shuffle(order)
    for j in order:
        ids, mask = convs[j]
        if len(cur_i) + len(ids) > BLOCK + 1:
            pad = BLOCK + 1 - len(cur_i)
            rows.append((cur_i + [EOT_ID] * pad, cur_m + [0] * pad))
            cur_i, cur_m = [], []
        cur_i, cur_m = cur_i + ids, cur_m + mask
    return rows


def batch_loss(model, rows):
    x = torch.tensor([r[0][:-1] for r in rows])
    y = torch.tensor([r[0][1:] for r in rows])
    m = torch.tensor([r[1][1:] for r in rows], dtype=torch.float32)
    logits, _ = model(x)
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction="none")
    return (loss * m.reshape(-1)).sum() / m.sum()


# ---------------------------------------------------------------------------------------------------
def train(max_minutes, max_steps):
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    tok = base_tokenizer()
    convs = conversations(tok)
    rng = random.Random(SEED)
    rng.shuffle(convs)
    val, train_convs = convs[:200], convs[200:]
    print(f"{len(train_convs)} training conversations, {len(val)} held out", flush=True)
    if os.path.exists(CKPT):
        ck = torch.load(CKPT, map_location="cpu")
        model = GPT(ModelConfig(**ck["model_config"]))
        model.load_state_dict(ck["model"])
        step, history = ck["step"], ck["history"]
    else:
        model, step, history = grow_vocab(load_embedded()), 0, []
    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=(0.9, 0.95), weight_decay=0.0)
    if os.path.exists(CKPT) and "optimizer" in ck:
        opt.load_state_dict(ck["optimizer"])
    val_rows = pack(val, random.Random(0))
    t0 = time.time()
    last_save = t0
    model.train()
    epoch_rows, pos, epoch = [], 0, step
    while step < max_steps and (time.time() - t0) / 60 < max_minutes:
        if pos + BATCH > len(epoch_rows):
            epoch_rows, pos = pack(train_convs, random.Random(SEED + epoch)), 0
            epoch += 1
        rows = epoch_rows[pos:pos + BATCH]
        pos += BATCH
        lr = LR * min(1.0, (step + 1) / WARMUP)
        for g in opt.param_groups:
            g["lr"] = lr
        loss = batch_loss(model, rows)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 10 == 0:
            print(f"step {step} loss {loss.item():.3f} ({time.time() - t0:.0f}s)", flush=True)
        if step % 50 == 0 or time.time() - last_save > 120:
            model.eval()
            with torch.no_grad():
                vl = batch_loss(model, val_rows).item()
            model.train()
            history.append((step, vl))
            print(f"step {step} val loss (assistant tokens) {vl:.3f}", flush=True)
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                        "model_config": asdict(model.cfg), "history": history}, CKPT + ".tmp")
            os.replace(CKPT + ".tmp", CKPT)
            last_save = time.time()
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                "model_config": asdict(model.cfg), "history": history}, CKPT + ".tmp")
    os.replace(CKPT + ".tmp", CKPT)
    print(f"stopped at step {step}", flush=True)


# ---------------------------------------------------------------------------------------------------
def softmax64(logits):
    return torch.softmax(logits.double(), -1)


@torch.no_grad()
def greedy(model, ids):
    """Plain forwards (no cache), argmax with the lowest id on ties; stops after <|im_end|>."""
    out, steps = list(ids), []
    for _ in range(GREEDY_MAX):
        logits, _ = model(torch.tensor([out]))
        p = softmax64(logits[0, -1])
        top = torch.topk(p, 5)
        nxt = int(top.indices[0])
        steps.append({"id": nxt, "prob": float(p[nxt]), "im_end_prob": float(p[IM_END_ID]),
                      "eos_prob": float(p[EOT_ID]),
                      "top5_ids": [int(i) for i in top.indices], "top5_probs": [float(v) for v in top.values]})
        out.append(nxt)
        if nxt in (IM_END_ID, EOT_ID):
            break
    return steps


def tokenizer_files(tok):
    tj = json.load(open(os.path.join(MODEL_DIR, "tokenizer.json"), encoding="utf-8"))
    for i, t in ((IM_START_ID, IM_START), (IM_END_ID, IM_END)):
        tj["added_tokens"].append({"id": i, "content": t, "single_word": False, "lstrip": False,
                                   "rstrip": False, "normalized": False, "special": True})
        tj["model"]["vocab"][t] = i
    tc = tok.hf_tokenizer_config(ModelConfig().n_positions)
    for i, t in ((IM_START_ID, IM_START), (IM_END_ID, IM_END)):
        tc["added_tokens_decoder"][str(i)] = {"content": t, "lstrip": False, "normalized": False,
                                              "rstrip": False, "single_word": False, "special": True}
    tc["additional_special_tokens"] = [IM_START, IM_END]
    tc["chat_template"] = CHAT_TEMPLATE
    return tj, tc


def export():
    torch.set_num_threads(2)
    ck = torch.load(CKPT, map_location="cpu")
    cfg = ModelConfig(**ck["model_config"])
    model = GPT(cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    tok = base_tokenizer()
    os.makedirs(os.path.join(OUT, "onnx"), exist_ok=True)
    export_decoder_onnx(model, os.path.join(OUT, "onnx", "model.onnx"), cfg.vocab_size, cfg.n_layer,
                        cfg.n_head, cfg.n_embd // cfg.n_head)
    conf = hf_config(cfg, EOT_ID)
    conf["eos_token_id"] = [EOT_ID, IM_END_ID]
    json.dump(conf, open(os.path.join(OUT, "config.json"), "w"), indent=2)
    json.dump({"bos_token_id": EOT_ID, "eos_token_id": [EOT_ID, IM_END_ID], "max_length": cfg.n_positions},
              open(os.path.join(OUT, "generation_config.json"), "w"), indent=2)
    tj, tc = tokenizer_files(tok)
    json.dump(tj, open(os.path.join(OUT, "tokenizer.json"), "w", encoding="utf-8"), ensure_ascii=False)
    json.dump(tc, open(os.path.join(OUT, "tokenizer_config.json"), "w", encoding="utf-8"), indent=2,
              ensure_ascii=False)
    convs = []
    for c in REFERENCE_CONVERSATIONS:
        text = render(c["messages"], True)
        ids = encode_chat_text(tok, text)
        with torch.no_grad():
            logits, _ = model(torch.tensor([ids]))
        steps = greedy(model, ids)
        convs.append({"name": c["name"], "messages": c["messages"], "text": text, "ids": ids,
                      "last_logits": [round(float(v), 6) for v in logits[0, -1]],
                      "greedy": steps, "greedy_ids": [s["id"] for s in steps],
                      "greedy_text": tok.decode([s["id"] for s in steps if s["id"] < BASE_VOCAB]),
                      "stops_at_im_end": steps[-1]["id"] == IM_END_ID})
        print(c["name"], repr(convs[-1]["greedy_text"]), "steps", len(steps), "stop", convs[-1]["stops_at_im_end"])
    ref = {"model": "tiny-chat", "checkpoint_step": ck["step"], "vocab_size": cfg.vocab_size,
           "im_start_id": IM_START_ID, "im_end_id": IM_END_ID, "eos_token_id": EOT_ID,
           "chat_template": CHAT_TEMPLATE,
           "note": "torch forwards without cache, float64 softmax; ids rendered with Jinja2 + our BPE",
           "val_history": ck["history"], "conversations": convs}
    json.dump(ref, open(os.path.join(OUT, "reference.json"), "w", encoding="utf-8"), ensure_ascii=False)
    print(f"exported step {ck['step']} to {OUT}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("stage", choices=["train", "export"])
    ap.add_argument("--max-minutes", type=float, default=12.0)
    ap.add_argument("--max-steps", type=int, default=600)
    a = ap.parse_args()
    if a.stage == "train":
        train(a.max_minutes, a.max_steps)
    else:
        export()


if __name__ == "__main__":
    main()
