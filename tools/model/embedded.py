"""The embedded model's weights, read back from its committed ONNX file (build/ckpt.pt is not kept).
Used by chat_fixture.py (fine-tuning) and attn_export.py (re-export with attention / lens outputs)."""
import json
import os

import onnx
import torch
from onnx import numpy_helper

from config import MODEL_DIR, ModelConfig
from model import GPT


def load_embedded():
    """GPT(4000) with the committed weights. The exported graph stores nn.Linear weights transposed as
    anonymous MatMul initialisers, in layer order: c_attn [C,3C], attn c_proj [C,C], c_fc [C,4C],
    mlp c_proj [4C,C]; the last one [C,V] is the tied output layer (wte^T)."""
    m = onnx.load(os.path.join(MODEL_DIR, "onnx", "model.onnx"))
    inits = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
    model = GPT(ModelConfig())
    sd = model.state_dict()
    for k in sd:
        if "model." + k in inits:
            sd[k] = inits["model." + k]
    mats = [v for k, v in inits.items() if k.startswith("onnx::MatMul")]
    cfg = model.cfg
    assert len(mats) == 4 * cfg.n_layer + 1, len(mats)
    for i in range(cfg.n_layer):
        a, p, fc, mp = mats[4 * i:4 * i + 4]
        sd[f"h.{i}.attn.c_attn.weight"] = a.t().contiguous()
        sd[f"h.{i}.attn.c_proj.weight"] = p.t().contiguous()
        sd[f"h.{i}.mlp.c_fc.weight"] = fc.t().contiguous()
        sd[f"h.{i}.mlp.c_proj.weight"] = mp.t().contiguous()
    assert torch.equal(mats[-1].t(), sd["wte.weight"])
    model.load_state_dict(sd)
    model.eval()
    # check against the committed torch reference of the embedded model
    ref = json.load(open(os.path.join(os.path.dirname(__file__), "reference", "tiny-bilingual-gpt2.json")))
    f0 = ref["forward"][0]
    with torch.no_grad():
        logits, _ = model(torch.tensor([f0["ids"]]))
    err = (logits[0, -1] - torch.tensor(f0["last_logits"])).abs().max().item()
    assert err < 1e-3, f"weights read back from ONNX differ from the reference: {err}"
    return model
