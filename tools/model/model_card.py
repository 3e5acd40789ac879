"""Step 6a: write the model card public/models/tiny-bilingual-gpt2/README.md from the checkpoint's
held-out loss and the reference file's greedy examples (so every number comes from the committed weights)."""
import json
import math
import os

import numpy as np
import torch

from bpe import BPETokenizer
from config import BUILD, MODEL_DIR, REFERENCE_JSON
from export import load_model
from config import TrainConfig
from train import evaluate, lr_at


def folder_sizes():
    sizes = {}
    for d, _, files in os.walk(MODEL_DIR):
        for f in files:
            p = os.path.join(d, f)
            sizes[os.path.relpath(p, MODEL_DIR)] = os.path.getsize(p)
    return sizes


def token_str(tok, i):
    """A token for a markdown table cell (JSON-quoted, pipes escaped)."""
    s = "<|endoftext|>" if i == tok.eot_id else json.dumps(tok.decode([i]), ensure_ascii=False)
    return "`" + s.replace("|", "\\|") + "`"


def human(n):
    return f"{n / 2 ** 20:.2f} MiB" if n >= 2 ** 20 else f"{n / 1024:.1f} KiB"


def main():
    torch.set_num_threads(2)
    model, ck = load_model()
    cfg, tc = model.cfg, ck["train_config"]
    tok = BPETokenizer.load(os.path.join(MODEL_DIR, "tokenizer.json"))
    with open(REFERENCE_JSON, encoding="utf-8") as f:
        ref = json.load(f)
    val_ids = np.memmap(os.path.join(BUILD, "val.bin"), dtype=np.uint16, mode="r")
    val = evaluate(model, val_ids, tc["block_size"])                      # whole held-out set
    n_params = model.num_params()
    tokens_seen = ck["step"] * tc["batch_size"] * tc["block_size"]
    n_train = len(np.memmap(os.path.join(BUILD, "train.bin"), dtype=np.uint16, mode="r"))
    stopped = ""
    if ck["step"] < tc["max_steps"]:
        tcfg = TrainConfig(**tc)
        stopped = (f", stopped at step {ck['step']} when the time budget ran out "
                   f"(LR there {lr_at(ck['step'], tcfg):.1e})")

    examples = []
    for g in ref["greedy"]:
        rows = "\n".join(f"| {token_str(tok, i)} | {i} | {p:.4f} |"
                         for i, p in zip(g["steps"][0]["top5_ids"], g["steps"][0]["top5_probs"]))
        eos = " (contains <|endoftext|>)" if g["eos_in_new_ids"] else ""
        examples.append(
            f"### `{g['text']}`\n\nGreedy continuation, 32 tokens{eos}:\n\n```text\n{g['text']}{g['decoded']}\n```\n\n"
            f"Top-5 next tokens after the prompt:\n\n| token | id | probability |\n|---|---|---|\n{rows}\n")

    sizes = folder_sizes()
    size_rows = "\n".join(f"| `{k}` | {human(v)} |" for k, v in sorted(sizes.items())
                          if k != "README.md")
    card = f"""# tiny-bilingual-gpt2

A very small GPT-2-style causal language model for English and Chinese, trained from scratch on
this machine for an in-browser visualisation of autoregressive generation (transformers.js 4.x,
ONNX, fp32). It is a toy: it produces text in the *register* of its corpus (King James Bible,
Unix fortune cookies, classical Chinese quotations and Tang/Song poems) but not sense.

## Model

| | |
|---|---|
| architecture | GPT-2 (learned positions, pre-LayerNorm, GELU tanh, tied input/output embeddings) |
| layers / heads / width | {cfg.n_layer} / {cfg.n_head} / {cfg.n_embd} (head size {cfg.n_embd // cfg.n_head}) |
| context | {cfg.n_positions} tokens |
| parameters | {n_params:,} (embeddings counted once) |
| vocabulary | {cfg.vocab_size} byte-level BPE tokens; `<\\|endoftext\\|>` = id {tok.eot_id} (last id), also bos/eos |
| training | {ck['step']} steps x {tc['batch_size']} x {tc['block_size']} tokens = {tokens_seen / 1e6:.1f} M tokens (~{tokens_seen / n_train:.1f} epochs), AdamW, warmup + cosine LR {tc['lr']} -> {tc['min_lr']} over {tc['max_steps']} steps{stopped}, fp32, seed {tc['seed']}, 2 CPU cores, ~60 min |
| total size | {human(sum(v for k, v in folder_sizes().items() if k != "README.md"))} (+ this card) |
| held-out loss | **{val:.4f}** nats/token (perplexity **{math.exp(val):.1f}**) on 2% of documents never trained on |

Files (fp32, `"transformers.js_config": {{"dtype": "fp32"}}`):

| file | size |
|---|---|
{size_rows}

The ONNX graph (opset 14) has Hugging Face's GPT-2 interface with a KV cache: inputs `input_ids`,
`attention_mask`, `position_ids`, `past_key_values.{{i}}.key|value` [batch_size, {cfg.n_head}, past_sequence_length, {cfg.n_embd // cfg.n_head}];
outputs `logits` and `present.{{i}}.key|value`.

## Data and licence

Trained on text from Debian packages (details and licences in `tools/model/CORPUS.md`):
`fortunes` and `fortunes-min` (English fortune cookies, BSD licence; the offensive collection is not
included), `fortunes-zh` (Chinese quotations, 论语/道德经, 唐诗三百首, 宋词一百首; GPL-3.0-or-later) and
the King James Bible from `bible-kjv` (public domain text). About 7 M characters, 2.3 M tokens.

Because the training data includes the GPL-3.0-or-later `fortunes-zh` collection, the weights are
distributed under **GPL-3.0-or-later** (a conservative choice).

## Limits

- Around two million parameters and one hour of CPU training: fluent-looking fragments,
  frequent repetition, no knowledge, no instruction following.
- Only what the corpus contains: Early Modern English of the KJV, 20th-century American fortune
  cookies (which include dated jokes and stereotypes), classical and some modern Chinese.
  Other languages and most emoji are seen only as raw bytes.
- A 4,000-token vocabulary: many Chinese characters are split into 2-3 byte tokens, so the
  visualisation will show tokens that are not whole characters.
- Context is {cfg.n_positions} tokens.

## Examples (greedy, from these weights)

{chr(10).join(examples)}
## Rebuild

From the repository root: `bash tools/model/build.sh` (corpus -> tokenizer -> train -> export ->
references -> verify); `bash tools/model/build.sh --from export` re-exports an existing checkpoint.
See `tools/model/README.md`.
"""
    with open(os.path.join(MODEL_DIR, "README.md"), "w", encoding="utf-8") as f:
        f.write(card)
    print(f"wrote model card: step {ck['step']}, val loss {val:.4f}, ppl {math.exp(val):.1f}, "
          f"{n_params:,} params, folder {sum(folder_sizes().values()) / 2 ** 20:.2f} MiB")


if __name__ == "__main__":
    main()
