"""Gate the logit lens of an exported graph on the attention mask (issue #20).

ONNX Runtime runs every node of a graph whatever outputs are fetched (checked with its profiler:
the lens MatMul [layers + 1, V] ran on a step that fetched only logits and presents, about +15 % of a
one-token step of the embedded model). An optional input cannot switch it off either: onnxruntime-node
and -web feed only the names in `inputNames`, which leaves out an initializer-backed input; and a new
required input would break transformers.js, which refuses to run a session with an input it does
not know. So the nodes that only `lens_logits` needs are moved into the then-branch of an `If` whose
condition is `max(attention_mask) > 1`: the mask keeps its meaning (a key is attended iff its entry is
> 0), and a caller that wants the lens writes 2 instead of 1 (the app's worker when the attention
view is open, src/worker/ortBackend.ts). transformers.js writes 0/1, so for it the graph is the plain
Hugging Face GPT-2 interface plus the attention outputs (free: intermediate tensors anyway) and
`lens_logits` comes out empty, [0, V]; with the gate it is [layers + 1, V].
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def gate_lens(model, lens="lens_logits"):
    """model: onnx.ModelProto with an output `lens` [L + 1, V] -> the same model, lens gated (in place)."""
    g = model.graph
    producer = {o: n for n in g.node for o in n.output}

    def ancestors(names):
        seen, stack = set(), list(names)
        while stack:
            n = producer.get(stack.pop())
            if n is None or id(n) in seen:
                continue
            seen.add(id(n))
            stack.extend(i for i in n.input if i)
        return seen

    others = ancestors([o.name for o in g.output if o.name != lens])
    lens_nodes = ancestors([lens])
    only = [n for n in g.node if id(n) in lens_nodes and id(n) not in others]      # graph order kept
    if not only:
        raise ValueError("nothing to gate")
    out = [o for o in g.output if o.name == lens][0]
    vocab = out.type.tensor_type.shape.dim[1].dim_value
    inner = lens + "_then"
    for n in only:
        n.output[:] = [inner if o == lens else o for o in n.output]
    then_g = helper.make_graph(only, "lens_then", [], [helper.make_tensor_value_info(inner, TensorProto.FLOAT, None)])
    empty = numpy_helper.from_array(np.zeros((0, vocab), np.float32), name="lens_empty")
    else_g = helper.make_graph([helper.make_node("Constant", [], ["lens_empty_out"], value=empty)], "lens_else", [],
                               [helper.make_tensor_value_info("lens_empty_out", TensorProto.FLOAT, None)])
    one = numpy_helper.from_array(np.array(1, np.int64), name="lens_gate_one")
    cond = [
        helper.make_node("ReduceMax", ["attention_mask"], ["lens_gate_max"], keepdims=0, name="lens_gate_max"),
        helper.make_node("Constant", [], ["lens_gate_one"], value=one, name="lens_gate_one"),
        helper.make_node("Greater", ["lens_gate_max", "lens_gate_one"], ["lens_gate_on"], name="lens_gate_on"),
        helper.make_node("If", ["lens_gate_on"], [lens], then_branch=then_g, else_branch=else_g, name="lens_gate"),
    ]
    only_ids = {id(n) for n in only}
    keep = [n for n in g.node if id(n) not in only_ids]
    del g.node[:]
    g.node.extend(keep + cond)
    out.type.tensor_type.shape.dim[0].dim_param = "lens_rows"
    onnx.checker.check_model(model)
    return model
