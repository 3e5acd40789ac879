"""Re-export the committed embedded model with the attention and logit-lens outputs (issue #20).

The training checkpoint (build/ckpt.pt) is not kept, so the weights are read back from the committed
`public/models/tiny-bilingual-gpt2/onnx/model.onnx` (chat_fixture.load_embedded, which checks them
against the committed torch reference) and exported again as ONE graph with extra outputs
(export.export_onnx, lens gated by lens_gate.py): `attentions.{i}` [batch, heads, new positions, all positions] and `lens_logits`
[layers + 1, vocab]. Afterwards the weights are read back from the new file and compared bit for bit
with the ones exported, and the graph is run (numpy interpreter) against torch.

  /usr/bin/python3 tools/model/attn_export.py
"""
import os
import shutil
import tempfile

import numpy as np
import torch

from embedded import load_embedded
from config import MODEL_DIR
from export import export_onnx
import onnx
import onnx_numpy


def main():
    torch.set_num_threads(2)
    model = load_embedded()
    path = os.path.join(MODEL_DIR, "onnx", "model.onnx")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    tmp = tempfile.mkdtemp()
    out = os.path.join(tmp, "model.onnx")
    export_onnx(model, out)
    shutil.copy(out, path)
    again = load_embedded()
    for k, v in again.state_dict().items():
        assert torch.equal(v, before[k]), f"weight {k} changed in the re-export"
    # the graph against torch: a prefill of 4 then one cached token, batch 1
    ids = torch.tensor([[10, 300, 1200, 77]])
    with torch.no_grad():
        _, pres, att_t, lens_t = model.forward_internals(ids[:, :3], torch.ones(1, 3, dtype=torch.int64), torch.arange(3)[None], None)
        logits_t, _, att2_t, lens2_t = model.forward_internals(ids[:, 3:], torch.ones(1, 4, dtype=torch.int64), torch.tensor([[3]]), pres)
    feeds = {"input_ids": ids[:, 3:].numpy(), "attention_mask": np.ones((1, 4), np.int64), "position_ids": np.array([[3]], np.int64)}
    for i, (k, v) in enumerate(pres):
        feeds[f"past_key_values.{i}.key"] = k.numpy()
        feeds[f"past_key_values.{i}.value"] = v.numpy()
    graph = onnx.load(path)
    got = onnx_numpy.run(graph, feeds)
    assert got["lens_logits"].shape == (0, model.cfg.vocab_size), "lens must be off without the gate"
    feeds["attention_mask"] = np.array([[2, 1, 1, 1]], np.int64)
    on = onnx_numpy.run(graph, feeds)
    assert np.array_equal(on["logits"], got["logits"]), "the gate must not change the logits"
    for i in range(len(att2_t)):
        err = np.abs(got[f"attentions.{i}"] - att2_t[i].numpy()).max()
        assert err < 1e-5, (i, err)
    err = np.abs(on["lens_logits"] - lens2_t.numpy()).max()
    assert err < 1e-3, err
    assert np.abs(lens2_t[-1] - logits_t[0, -1]).max() < 1e-4
    print(f"re-exported {path} with attentions.0..{len(att2_t) - 1} and lens_logits; weights unchanged, graph == torch")


if __name__ == "__main__":
    main()
