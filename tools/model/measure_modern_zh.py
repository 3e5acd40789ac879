"""Bounded measurement of the embedded model on modern Chinese (issue #17); no training.

    /usr/bin/python3 tools/model/measure_modern_zh.py [model folder]

Prints the rank and probability of 好 after 今天天气真 and of 一 after 人工智能是 (a character's
probability is the product along the tokenizer's own token path), the perplexity on the held-out
modern sentences in heldout/modern-zh.txt (written before any measurement), and how many Han
characters are one token. Plain numpy through onnx_numpy.py (no onnxruntime in Debian's python).
"""
import math
import os
import re
import sys

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bpe  # noqa: E402
import onnx_numpy  # noqa: E402

folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '..', '..', 'public', 'models', 'tiny-bilingual-gpt2')
tok = bpe.BPETokenizer.load(os.path.join(folder, 'tokenizer.json'))
model = onnx.load(os.path.join(folder, 'onnx', 'model.onnx'))
cfg = {i.name: [d.dim_value for d in i.type.tensor_type.shape.dim] for i in model.graph.input}
layers = sum(1 for n in cfg if n.endswith('.key'))
heads, head_dim = cfg['past_key_values.0.key'][1], cfg['past_key_values.0.key'][3]


def logits(ids):
    """Logits at every position of `ids` (one full forward, no cache): shape (len(ids), vocab)."""
    n = len(ids)
    feeds = {'input_ids': np.array([ids], dtype=np.int64), 'attention_mask': np.ones((1, n), dtype=np.int64),
             'position_ids': np.arange(n, dtype=np.int64)[None]}
    for layer in range(layers):
        for kv in ('key', 'value'):
            feeds[f'past_key_values.{layer}.{kv}'] = np.zeros((1, heads, 0, head_dim), dtype=np.float32)
    return onnx_numpy.run(model, feeds)['logits'][0].astype(np.float64)


def log_softmax(x):
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def char_rank(prompt, ch):
    ids = tok.encode(prompt)
    path = tok.encode(prompt + ch)[len(ids):]
    lp, cur = 0.0, list(ids)
    for t in path:
        lp += log_softmax(logits(cur)[-1])[t]
        cur.append(t)
    first = log_softmax(logits(ids)[-1])
    top = np.argsort(-first)[:3]
    return {'path': path, 'p': round(math.exp(lp), 5), 'rank_of_first_token': int((first > first[path[0]]).sum()) + 1,
            'top3': [(tok.decode([int(i)]), round(math.exp(first[i]), 4)) for i in top]}


print('好 after 今天天气真:', char_rank('今天天气真', '好'))
print('一 after 人工智能是:', char_rank('人工智能是', '一'))
nll, n_tok, n_chr = 0.0, 0, 0
lines = [s.strip() for s in open(os.path.join(HERE, 'heldout', 'modern-zh.txt'), encoding='utf-8') if s.strip()]
for s in lines:
    ids = [tok.eot_id] + tok.encode(s)
    lp = log_softmax(logits(ids))
    nll -= sum(lp[i, ids[i + 1]] for i in range(len(ids) - 1))
    n_tok += len(ids) - 1
    n_chr += len(s)
print(f'held-out modern Chinese: {len(lines)} sentences, {n_chr} chars, {n_tok} tokens; '
      f'{nll / n_tok:.3f} nats/token (ppl {math.exp(nll / n_tok):.1f}); {nll / n_chr:.3f} nats/char (ppl {math.exp(nll / n_chr):.1f})')
han = re.compile(r'^[\u4e00-\u9fff]$')
single = {b.decode('utf-8', 'ignore') for b in tok.token_bytes[:-1] if len(b) == 3 and han.match(b.decode('utf-8', 'ignore') or 'x')}
h = [c for c in ''.join(lines) if han.match(c)]
print(f'Han characters that are one token: {len(single)}; in the held-out sentences {sum(c in single for c in h) / len(h):.1%}')
