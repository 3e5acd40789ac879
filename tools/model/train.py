"""Step 3: train the GPT on build/train.bin; evaluate on build/val.bin; checkpoint to build/ckpt.pt.

Resumable: re-running continues from build/ckpt.pt. Batches are drawn with a generator seeded by
(seed, step), so a resumed run sees the same data as an uninterrupted one.
Usage: python3 train.py [--max-steps N] [--stop-step N] [--max-minutes M]
  --max-minutes stops early (checkpoint + final eval) after M minutes of this process; put the step it
  reports into TrainConfig.stop_step so a rebuild reproduces the same weights.
"""
import argparse
import json
import math
import os
import time
from dataclasses import asdict

import numpy as np
import torch
import torch.nn.functional as F

from config import BUILD, ModelConfig, TrainConfig
from model import GPT

CKPT = os.path.join(BUILD, "ckpt.pt")


def get_batch(data, step, tc):
    """Random windows of block_size+1 tokens -> x, y: [B, block_size] int64."""
    g = torch.Generator().manual_seed(tc.seed * 1_000_003 + step)
    starts = torch.randint(0, len(data) - tc.block_size - 1, (tc.batch_size,), generator=g)
    chunk = np.stack([data[s:s + tc.block_size + 1] for s in starts.tolist()]).astype(np.int64)
    chunk = torch.from_numpy(chunk)
    return chunk[:, :-1], chunk[:, 1:]


@torch.no_grad()
def evaluate(model, val, block_size, batch_size=16):
    """Mean next-token loss over the whole validation set in non-overlapping windows."""
    model.eval()
    n = (len(val) - 1) // block_size
    total, count = 0.0, 0
    for b in range(0, n, batch_size):
        idx = range(b, min(n, b + batch_size))
        chunk = torch.from_numpy(np.stack([val[i * block_size:i * block_size + block_size + 1]
                                           for i in idx]).astype(np.int64))
        logits, _ = model(chunk[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), chunk[:, 1:].reshape(-1),
                               reduction="sum")
        total += loss.item()
        count += chunk[:, 1:].numel()
    model.train()
    return total / count


def lr_at(step, tc):
    if step < tc.warmup_steps:
        return tc.lr * (step + 1) / tc.warmup_steps
    progress = min(1.0, (step - tc.warmup_steps) / max(1, tc.max_steps - tc.warmup_steps))
    return tc.min_lr + 0.5 * (tc.lr - tc.min_lr) * (1 + math.cos(math.pi * progress))


def save(model, opt, step, mc, tc, history):
    tmp = CKPT + ".tmp"
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                "model_config": asdict(mc), "train_config": asdict(tc), "history": history}, tmp)
    os.replace(tmp, CKPT)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--stop-step", type=int, default=None)
    ap.add_argument("--max-minutes", type=float, default=None)
    args = ap.parse_args()
    mc, tc = ModelConfig(), TrainConfig()
    if args.max_steps:
        tc.max_steps = args.max_steps
    if args.stop_step:
        tc.stop_step = args.stop_step
    last_step = min(tc.max_steps, tc.stop_step) if tc.stop_step > 0 else tc.max_steps
    t_start = time.time()
    torch.set_num_threads(tc.threads)
    torch.manual_seed(tc.seed)
    train = np.memmap(os.path.join(BUILD, "train.bin"), dtype=np.uint16, mode="r")
    val = np.memmap(os.path.join(BUILD, "val.bin"), dtype=np.uint16, mode="r")

    model = GPT(mc)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": tc.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=tc.lr, betas=(0.9, 0.95), eps=1e-8)
    step, history = 0, []
    if os.path.exists(CKPT):
        ck = torch.load(CKPT)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, history = ck["step"], ck["history"]
        print(f"resumed at step {step}")
    print(f"params {model.num_params():,}; train {len(train):,} tokens, val {len(val):,} tokens; "
          f"{tc.max_steps} steps of {tc.batch_size}x{tc.block_size}", flush=True)

    t_last_ckpt = time.time()
    t0 = time.time()
    while step < last_step:
        lr = lr_at(step, tc)
        for group in opt.param_groups:
            group["lr"] = lr
        x, y = get_batch(train, step, tc)
        logits, _ = model(x)                                                 # [B, T, V]
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), tc.grad_clip)
        opt.step()
        step += 1
        if args.max_minutes and time.time() - t_start > 60 * args.max_minutes:
            print(f"time budget of {args.max_minutes} min reached: stopping at step {step} "
                  f"(set TrainConfig.stop_step = {step} to reproduce)", flush=True)
            last_step = step
        if step % 10 == 0:
            dt = time.time() - t0
            print(f"step {step} loss {loss.item():.4f} lr {lr:.2e} "
                  f"{10 * tc.batch_size * tc.block_size / dt:.0f} tok/s", flush=True)
            t0 = time.time()
        if step % tc.eval_every == 0 or step == last_step:
            vl = evaluate(model, val, tc.block_size)
            history.append({"step": step, "train_loss": loss.item(), "val_loss": vl})
            print(f"== step {step} val loss {vl:.4f} ppl {math.exp(vl):.2f}", flush=True)
            t0 = time.time()
        if time.time() - t_last_ckpt > tc.ckpt_every_seconds or step == last_step:
            save(model, opt, step, mc, tc, history)
            t_last_ckpt = time.time()
    with open(os.path.join(BUILD, "train_history.json"), "w") as f:
        json.dump(history, f, indent=1)
    print("done", flush=True)


if __name__ == "__main__":
    main()
