"""Test fixture: a tiny random-weight Llama-style decoder + SentencePiece-style byte-fallback BPE tokenizer,
exported like the main model to test-fixtures/tiny-llama/ (config.json, generation_config.json,
tokenizer.json, tokenizer_config.json, onnx/model.onnx, reference.json).

Model: RMSNorm, rotary position embeddings (HF "rotate_half" layout), grouped-query attention
(4 query heads share 2 key/value heads), SwiGLU MLP, untied output layer. Weights are random (seeded).
Tokenizer: ids 0-2 <unk> <s> </s>, 3-258 byte pieces <0x00>..<0xFF>, then '▁' + printable ASCII,
then pieces made by a few BPE merges learnt from SAMPLE below. Text is normalised by prepending '▁'
and replacing ' ' by '▁'; characters outside the vocabulary fall back to their UTF-8 byte pieces;
the post-processor prepends <s>.
Shapes: B batch, T new tokens, P past, S = P + T, C hidden, H heads, KV kv-heads, D head size.
"""
import collections
import json
import math
import os
import sys
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from config import ROOT
from export import export_decoder_onnx
from model import causal_mask, NEG_INF

OUT = os.path.join(ROOT, "test-fixtures", "tiny-llama")
SEED = 20240607
SAMPLE = (
    "In the beginning God created the heaven and the earth. And the earth was without form, and void; "
    "and darkness was upon the face of the deep. The quick brown fox jumps over the lazy dog. "
    "A fool and his money are soon parted. There is no time like the present. The best things in life "
    "are free, and the worst things in life are the things that you did not do. Hello world, hello there. "
    "This is a test of the tokenizer, and the tokenizer is tiny. Tests that pass are the best tests."
)
NUM_MERGES = 45
PROMPTS = [("en", "Hello world, the quick brown fox"), ("cjk", "The 龘 dragon says hi")]
SPECIALS = ["<unk>", "<s>", "</s>"]


@dataclass
class LlamaConfig:
    vocab_size: int = 0                 # filled in from the tokenizer
    hidden_size: int = 64
    intermediate_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    max_position_embeddings: int = 128
    rms_norm_eps: float = 1e-6
    rope_theta: float = 10000.0


# ---------------------------------------------------------------------------------------------------
# tokenizer
def train_merges(text, base):
    """Tiny BPE over words '▁word'; returns merges as (left str, right str) in rank order."""
    words = collections.Counter("▁" + w for w in text.split(" ") if w)
    seqs = {w: [c for c in w] for w in words}
    merges = []
    for _ in range(NUM_MERGES):
        pairs = collections.Counter()
        for w, f in words.items():
            s = seqs[w]
            for p in zip(s, s[1:]):
                pairs[p] += f
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))              # most frequent, then lexicographic
        merges.append(best)
        for w in words:
            s, out, i = seqs[w], [], 0
            while i < len(s):
                if i + 1 < len(s) and (s[i], s[i + 1]) == best:
                    out.append(s[i] + s[i + 1])
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
    return merges


class SPTokenizer:
    def __init__(self):
        base = ["▁"] + [chr(c) for c in range(33, 127)]
        self.merges = train_merges(SAMPLE, base)
        pieces = SPECIALS + [f"<0x{b:02X}>" for b in range(256)] + base
        for a, b in self.merges:
            if a + b not in pieces:
                pieces.append(a + b)
        self.pieces = pieces
        self.vocab = {p: i for i, p in enumerate(pieces)}
        self.ranks = {m: r for r, m in enumerate(self.merges)}

    def encode(self, text):
        """As transformers.js / HF tokenizers: normalise, split to chars, byte-fallback unknown chars,
        merge adjacent pieces by lowest merge rank, prepend <s> (id 1)."""
        s = "▁" + text.replace(" ", "▁")
        syms = list(s)
        while True:
            best, best_rank = None, None
            for i, p in enumerate(zip(syms, syms[1:])):
                r = self.ranks.get(p)
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = i, r
            if best is None:
                break
            syms = syms[:best] + [syms[best] + syms[best + 1]] + syms[best + 2:]
        ids = [1]
        for sym in syms:
            if sym in self.vocab:
                ids.append(self.vocab[sym])
            else:
                ids.extend(self.vocab[f"<0x{b:02X}>"] for b in sym.encode("utf-8"))
        return ids

    def tokenizer_json(self):
        added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                  "normalized": False, "special": True} for i, t in enumerate(SPECIALS)]
        return {
            "version": "1.0", "truncation": None, "padding": None,
            "added_tokens": added,
            "normalizer": {"type": "Sequence", "normalizers": [
                {"type": "Prepend", "prepend": "▁"},
                {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
            "pre_tokenizer": None,
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
            "decoder": {"type": "Sequence", "decoders": [
                {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
                {"type": "ByteFallback"}, {"type": "Fuse"},
                {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
            "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True,
                      "ignore_merges": False, "vocab": self.vocab,
                      "merges": [f"{a} {b}" for a, b in self.merges]},
        }

    def tokenizer_config(self, max_len):
        return {"tokenizer_class": "LlamaTokenizer", "bos_token": "<s>", "eos_token": "</s>",
                "unk_token": "<unk>", "pad_token": None, "add_bos_token": True, "add_eos_token": False,
                "legacy": True, "model_max_length": max_len, "clean_up_tokenization_spaces": False,
                "added_tokens_decoder": {str(i): {"content": t, "lstrip": False, "normalized": False,
                                                  "rstrip": False, "single_word": False, "special": True}
                                         for i, t in enumerate(SPECIALS)}}


# ---------------------------------------------------------------------------------------------------
# model
class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):                                                      # [..., C]
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):                                                            # [..., D]
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.H, self.KV = cfg.num_attention_heads, cfg.num_key_value_heads
        self.D = cfg.hidden_size // cfg.num_attention_heads
        self.q_proj = nn.Linear(cfg.hidden_size, self.H * self.D, bias=False)
        self.k_proj = nn.Linear(cfg.hidden_size, self.KV * self.D, bias=False)
        self.v_proj = nn.Linear(cfg.hidden_size, self.KV * self.D, bias=False)
        self.o_proj = nn.Linear(self.H * self.D, cfg.hidden_size, bias=False)

    def forward(self, x, cos, sin, mask, past_k, past_v):
        # x [B, T, C]; cos/sin [B, 1, T, D]; mask [B, 1, T, S]; past [B, KV, P, D]
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.H, self.D).transpose(1, 2)         # [B, H, T, D]
        k = self.k_proj(x).view(B, T, self.KV, self.D).transpose(1, 2)        # [B, KV, T, D]
        v = self.v_proj(x).view(B, T, self.KV, self.D).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)                                 # [B, KV, S, D]
            v = torch.cat([past_v, v], dim=2)
        S, rep = k.shape[2], self.H // self.KV
        # grouped-query: expand a new axis and reshape (repeat_interleave breaks the ONNX decode step)
        kk = k[:, :, None].expand(B, self.KV, rep, S, self.D).reshape(B, self.H, S, self.D)
        vv = v[:, :, None].expand(B, self.KV, rep, S, self.D).reshape(B, self.H, S, self.D)
        att = (q @ kk.transpose(-2, -1)) / math.sqrt(self.D)                  # [B, H, T, S]
        att = F.softmax(att.masked_fill(~mask, NEG_INF), dim=-1)
        y = (att @ vv).transpose(1, 2).reshape(B, T, self.H * self.D)
        return self.o_proj(y), k, v


class SwiGLU(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.gate_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.up_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.down_proj = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.mlp = SwiGLU(cfg)

    def forward(self, x, cos, sin, mask, pk, pv):
        a, k, v = self.self_attn(self.input_layernorm(x), cos, sin, mask, pk, pv)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), k, v


class TinyLlama(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        D = cfg.hidden_size // cfg.num_attention_heads
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList([Layer(cfg) for _ in range(cfg.num_hidden_layers)])
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        self.register_buffer("inv_freq", 1.0 / cfg.rope_theta ** (torch.arange(0, D, 2).float() / D))
        for p in self.parameters():                                            # random but lively logits
            if p.dim() == 2:
                nn.init.normal_(p, std=1.0 / math.sqrt(p.shape[1]))
        nn.init.normal_(self.embed_tokens.weight, std=1.0)
        nn.init.normal_(self.lm_head.weight, std=3.0 / math.sqrt(cfg.hidden_size))

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        B, T = input_ids.shape
        P = past[0][0].shape[2] if past is not None else 0
        if position_ids is None:
            position_ids = torch.arange(P, P + T)[None].expand(B, T)
        freqs = position_ids[:, :, None].float() * self.inv_freq[None, None, :]   # [B, T, D/2]
        emb = torch.cat([freqs, freqs], dim=-1)                                  # [B, T, D]
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]                        # [B, 1, T, D]
        mask = causal_mask(T, P, attention_mask)
        x = self.embed_tokens(input_ids)
        presents = []
        for i, layer in enumerate(self.layers):
            pk, pv = past[i] if past is not None else (None, None)
            x, k, v = layer(x, cos, sin, mask, pk, pv)
            presents.append((k, v))
        return self.lm_head(self.norm(x)), presents


def export(model, path):
    cfg = model.cfg
    export_decoder_onnx(model, path, cfg.vocab_size, cfg.num_hidden_layers, cfg.num_key_value_heads,
                        cfg.hidden_size // cfg.num_attention_heads)


def main():
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    tok = SPTokenizer()
    cfg = LlamaConfig(vocab_size=len(tok.pieces))
    model = TinyLlama(cfg).eval()
    export(model, os.path.join(OUT, "onnx", "model.onnx"))
    hf = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], **asdict(cfg),
          "head_dim": cfg.hidden_size // cfg.num_attention_heads, "hidden_act": "silu",
          "tie_word_embeddings": False, "attention_bias": False, "use_cache": True,
          "bos_token_id": 1, "eos_token_id": 2, "transformers.js_config": {"dtype": "fp32"}}
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(hf, f, indent=2)
    with open(os.path.join(OUT, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": 1, "eos_token_id": 2, "max_length": cfg.max_position_embeddings}, f, indent=2)
    with open(os.path.join(OUT, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok.tokenizer_json(), f, ensure_ascii=False, indent=1)
    with open(os.path.join(OUT, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tok.tokenizer_config(cfg.max_position_embeddings), f, ensure_ascii=False, indent=2)
    forward = []
    for name, text in PROMPTS:
        ids = tok.encode(text)
        with torch.no_grad():
            logits, _ = model(torch.tensor([ids]))
        forward.append({"name": name, "text": text, "ids": ids, "last_logits": logits[0, -1].tolist()})
        print(name, text, ids)
    greedy = []                                     # 10 greedy steps (argmax, lowest id on ties), no cache
    for name, text in PROMPTS:
        ids = tok.encode(text)
        seq = list(ids)
        for _ in range(10):
            with torch.no_grad():
                logits, _ = model(torch.tensor([seq]))
            last = logits[0, -1]
            seq.append(int(torch.nonzero(last == last.max())[0, 0]))
        greedy.append({"text": text, "ids": ids, "new_ids": seq[len(ids):],
                       "eos_in_new_ids": 2 in seq[len(ids):]})
    with open(os.path.join(OUT, "reference.json"), "w", encoding="utf-8") as f:
        json.dump({"model": "tiny-llama", "vocab_size": cfg.vocab_size, "bos_token_id": 1, "eos_token_id": 2,
                   "forward": forward, "greedy": greedy}, f, ensure_ascii=False)

    # check the ONNX graph against torch: prefill of a padded batch of 2, then one cached decode step
    import onnx
    import onnx_numpy
    graph = onnx.load(os.path.join(OUT, "onnx", "model.onnx"))
    KV, D = cfg.num_key_value_heads, cfg.hidden_size // cfg.num_attention_heads
    ids = torch.tensor([tok.encode(PROMPTS[0][1])[:6], tok.encode(PROMPTS[1][1])[:6]])
    mask = torch.ones(2, 6, dtype=torch.int64)
    mask[1, :2] = 0
    past = [(np.zeros((2, KV, 0, D), np.float32),) * 2 for _ in range(cfg.num_hidden_layers)]
    ok = True
    for step in range(2):
        new = ids if step == 0 else torch.tensor([[5], [7]])
        if step:
            mask = torch.cat([mask, torch.ones(2, 1, dtype=torch.int64)], 1)
        pos = (mask.cumsum(-1) - 1).clamp(min=0)[:, -new.shape[1]:]
        feeds = {"input_ids": new.numpy(), "attention_mask": mask.numpy(), "position_ids": pos.numpy()}
        for i, (k, v) in enumerate(past):
            feeds[f"past_key_values.{i}.key"], feeds[f"past_key_values.{i}.value"] = k, v
        out = onnx_numpy.run(graph, feeds)
        with torch.no_grad():
            logits, _ = model(new, mask, pos, [(torch.from_numpy(k), torch.from_numpy(v)) for k, v in past])
        valid = mask[:, -new.shape[1]:].bool().numpy()
        diff = np.abs(out["logits"] - logits.numpy())[valid].max()
        print(f"{'ok  ' if diff < 1e-4 else 'FAIL'} tiny-llama onnx vs torch step {step}: {diff:.2e}")
        ok &= diff < 1e-4
        past = [(out[f"present.{i}.key"], out[f"present.{i}.value"]) for i in range(cfg.num_hidden_layers)]
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print(f"wrote {OUT} ({size / 1024:.0f} KiB, vocab {cfg.vocab_size})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
