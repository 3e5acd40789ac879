"""GPT-2-style decoder in plain torch: learned positions, pre-LayerNorm, GELU (tanh), tied embeddings.

Shapes: B batch, T new tokens, P past tokens, S = P + T, C n_embd, H heads, D = C / H head size, V vocab.
The same forward serves training (no past) and ONNX export (past key/values, attention mask and
position ids as inputs, mirroring Hugging Face's GPT2LMHeadModel interface).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

NEG_INF = -1e9   # additive value for masked attention scores (finite: fully masked rows stay NaN-free)


def gelu_new(x):
    """GPT-2's tanh approximation of GELU ("gelu_new")."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head = cfg.n_head
        self.head_dim = cfg.n_embd // cfg.n_head
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)    # -> q, k, v
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd)

    def forward(self, x, mask, past_k=None, past_v=None):
        # x: [B, T, C]; mask: [B, 1, T, S] bool (True = may attend); past_k/v: [B, H, P, D]
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)                              # 3 x [B, T, C]
        q = q.view(B, T, self.n_head, self.head_dim).transpose(1, 2)          # [B, H, T, D]
        k = k.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        v = v.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)                                 # [B, H, S, D]
            v = torch.cat([past_v, v], dim=2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)            # [B, H, T, S]
        att = att.masked_fill(~mask, NEG_INF)
        att = F.softmax(att, dim=-1)
        y = att @ v                                                           # [B, H, T, D]
        y = y.transpose(1, 2).reshape(B, T, C)                                # [B, T, C]
        return self.c_proj(y), k, v, att


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd)
        self.c_proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd)

    def forward(self, x):                                                     # [B, T, C] -> [B, T, C]
        return self.c_proj(gelu_new(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.mlp = MLP(cfg)

    def forward(self, x, mask, past_k=None, past_v=None):
        a, k, v, att = self.attn(self.ln_1(x), mask, past_k, past_v)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, k, v, att


def causal_mask(T, P, attention_mask=None, device=None):
    """[B or 1, 1, T, P+T] bool: query t (absolute position P+t) may see key s iff s <= P+t and the
    key is not padding. Built from traced sizes so ONNX export keeps T and P dynamic."""
    q_pos = torch.arange(T, device=device) + P                                # [T]
    k_pos = torch.arange(P + T, device=device)                                # [S]
    allowed = (k_pos[None, :] <= q_pos[:, None])[None, None]                  # [1, 1, T, S]
    if attention_mask is not None:
        allowed = allowed & (attention_mask[:, None, None, :] > 0)            # [B, 1, T, S]
    return allowed


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)                   # tied with the output layer
        self.wpe = nn.Embedding(cfg.n_positions, cfg.n_embd)
        self.h = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.ln_f = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.apply(self._init_weights)
        for name, p in self.named_parameters():                               # GPT-2's scaled residual init
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)

    def num_params(self):
        return sum(p.numel() for p in self.parameters())

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        """input_ids: [B, T] int64; attention_mask: [B, S]; position_ids: [B, T];
        past: list of n_layer (k, v) pairs each [B, H, P, D] or None.
        Returns logits [B, T, V] and presents: list of (k, v) each [B, H, S, D]."""
        logits, presents, _, _ = self.forward_internals(input_ids, attention_mask, position_ids, past, lens=False)
        return logits, presents

    def forward_internals(self, input_ids, attention_mask=None, position_ids=None, past=None, lens=True):
        """As forward, plus what the app's attention view and logit lens read (issue #20):
        attentions: list of n_layer attention probabilities, each [B, H, T, S] (softmax rows; 0 where
        masked, i.e. after the query's position and at padding);
        lens_logits: [n_layer + 1, V] (None unless `lens`) for batch row 0 at the last new position:
        row 0 the embeddings (token + position), row i the residual stream after block i, each through
        the final LayerNorm and the tied unembedding — so the last row equals logits[0, -1]."""
        B, T = input_ids.shape
        P = past[0][0].shape[2] if past is not None else 0
        if position_ids is None:
            position_ids = torch.arange(P, P + T, device=input_ids.device)[None].expand(B, T)
        x = self.wte(input_ids) + self.wpe(position_ids)                      # [B, T, C]
        mask = causal_mask(T, P, attention_mask, input_ids.device)
        presents, atts, stream = [], [], [x[0, -1]]
        for i, block in enumerate(self.h):
            pk, pv = past[i] if past is not None else (None, None)
            x, k, v, att = block(x, mask, pk, pv)
            presents.append((k, v))
            atts.append(att)
            stream.append(x[0, -1])
        wt = self.wte.weight.t()                                              # [C, V], one node for both readouts
        logits = self.ln_f(x) @ wt                                            # [B, T, V]
        lens_logits = self.ln_f(torch.stack(stream)) @ wt if lens else None   # [n_layer + 1, V]
        return logits, presents, atts, lens_logits
