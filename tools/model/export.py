"""Step 4: export build/ckpt.pt to a transformers.js model folder (public/models/tiny-bilingual-gpt2/).

Writes config.json, generation_config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx.
ONNX interface = Hugging Face's GPT-2 with past (what transformers.js feeds):
  inputs  input_ids [batch_size, sequence_length], attention_mask [batch_size, total_sequence_length],
          position_ids [batch_size, sequence_length] (int64),
          past_key_values.{i}.key/.value [batch_size, H, past_sequence_length, D] (fp32)
  outputs logits [batch_size, sequence_length, V], present.{i}.key/.value [batch_size, H, total_sequence_length, D]
"""
import json
import os
import shutil

import onnx
import torch

from bpe import BPETokenizer
from lens_gate import gate_lens
from config import BUILD, MODEL_DIR, ModelConfig
from model import GPT


TRAIN_CKPT = os.path.join(BUILD, "ckpt.pt")
# the exported weights are frozen here, so reference/card/verify use exactly what was exported
# even while training keeps overwriting ckpt.pt
EXPORTED_CKPT = os.path.join(BUILD, "exported.pt")


def load_model(path=EXPORTED_CKPT):
    ck = torch.load(path, map_location="cpu")
    cfg = ModelConfig(**ck["model_config"])
    model = GPT(cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    return model, ck


class OnnxWrapper(torch.nn.Module):
    """Flat tensor interface for torch.onnx.export. With `internals`, the outputs also hold
    `attentions.{i}` and `lens_logits` (GPT.forward_internals, issue #20)."""

    def __init__(self, model, internals=False):
        super().__init__()
        self.model = model
        self.internals = internals

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        if self.internals:
            logits, presents, atts, lens = self.model.forward_internals(input_ids, attention_mask, position_ids, past)
        else:
            logits, presents = self.model(input_ids, attention_mask, position_ids, past)
        out = [logits]
        for k, v in presents:
            out += [k, v]
        if self.internals:
            out += list(atts) + [lens]
        return tuple(out)


def export_decoder_onnx(model, path, vocab_size, layers, kv_heads, head_dim, internals=False):
    """Exports a decoder whose forward is (input_ids, attention_mask, position_ids, past) ->
    (logits, presents) with the input/output names and dynamic axes transformers.js expects.
    Traced with batch 2, 3 new tokens and a past of 5, so nothing is specialised to 1.
    With `internals` (a GPT with forward_internals) the graph also outputs `attentions.{i}`
    [batch_size, heads, sequence_length, total_sequence_length] (softmax probabilities per layer) and
    `lens_logits` [layers + 1, vocab] (logit lens of batch row 0 at the last new position)."""
    B, T, P = 2, 3, 5
    g = torch.Generator().manual_seed(0)
    input_ids = torch.randint(0, vocab_size, (B, T), generator=g)
    attention_mask = torch.ones(B, P + T, dtype=torch.int64)
    position_ids = torch.arange(P, P + T)[None].expand(B, T).contiguous()
    past = []
    names_in = ["input_ids", "attention_mask", "position_ids"]
    names_out = ["logits"]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(layers):
        for kv in ("key", "value"):
            past.append(torch.randn(B, kv_heads, P, head_dim, generator=g))
            names_in.append(f"past_key_values.{i}.{kv}")
            names_out.append(f"present.{i}.{kv}")
            axes[f"past_key_values.{i}.{kv}"] = {0: "batch_size", 2: "past_sequence_length"}
            axes[f"present.{i}.{kv}"] = {0: "batch_size", 2: "total_sequence_length"}
    if internals:
        for i in range(layers):
            names_out.append(f"attentions.{i}")
            axes[f"attentions.{i}"] = {0: "batch_size", 2: "sequence_length", 3: "total_sequence_length"}
        names_out.append("lens_logits")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(OnnxWrapper(model, internals), (input_ids, attention_mask, position_ids, *past), path,
                          input_names=names_in, output_names=names_out, dynamic_axes=axes,
                          opset_version=14, do_constant_folding=True)
    if internals:                                   # the lens runs only when asked (lens_gate.py)
        onnx.save(gate_lens(onnx.load(path)), path)


def export_onnx(model, path):
    cfg = model.cfg
    export_decoder_onnx(model, path, cfg.vocab_size, cfg.n_layer, cfg.n_head, cfg.n_embd // cfg.n_head, internals=True)


def hf_config(cfg, eot_id):
    return {
        "model_type": "gpt2",
        "architectures": ["GPT2LMHeadModel"],
        "vocab_size": cfg.vocab_size,
        "n_positions": cfg.n_positions,
        "n_ctx": cfg.n_positions,
        "n_embd": cfg.n_embd,
        "n_layer": cfg.n_layer,
        "n_head": cfg.n_head,
        "n_inner": None,
        "layer_norm_epsilon": cfg.layer_norm_epsilon,
        "activation_function": "gelu_new",
        "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0,
        "initializer_range": 0.02,
        "scale_attn_weights": True,
        "tie_word_embeddings": True,
        "use_cache": True,
        "bos_token_id": eot_id,
        "eos_token_id": eot_id,
        "transformers.js_config": {"dtype": "fp32"},
    }


def main():
    torch.set_num_threads(2)
    ck = torch.load(TRAIN_CKPT, map_location="cpu")
    ck.pop("optimizer", None)
    torch.save(ck, EXPORTED_CKPT)
    model, ck = load_model(EXPORTED_CKPT)
    cfg = model.cfg
    tok = BPETokenizer.load(os.path.join(BUILD, "tokenizer.json"))
    assert tok.vocab_size == cfg.vocab_size
    os.makedirs(os.path.join(MODEL_DIR, "onnx"), exist_ok=True)
    export_onnx(model, os.path.join(MODEL_DIR, "onnx", "model.onnx"))
    with open(os.path.join(MODEL_DIR, "config.json"), "w") as f:
        json.dump(hf_config(cfg, tok.eot_id), f, indent=2)
    with open(os.path.join(MODEL_DIR, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": tok.eot_id, "eos_token_id": tok.eot_id,
                   "max_length": cfg.n_positions}, f, indent=2)
    shutil.copy(os.path.join(BUILD, "tokenizer.json"), os.path.join(MODEL_DIR, "tokenizer.json"))
    with open(os.path.join(MODEL_DIR, "tokenizer_config.json"), "w") as f:
        json.dump(tok.hf_tokenizer_config(cfg.n_positions), f, indent=2, ensure_ascii=False)
    print(f"exported step {ck['step']} checkpoint to {MODEL_DIR}")


if __name__ == "__main__":
    main()
