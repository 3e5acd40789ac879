"""A tiny numpy interpreter for the ONNX ops our exported decoders use (onnx 1.12 has no
onnx.reference evaluator). Used by verify.py to check the ONNX graph against torch,
independently of torch and of onnxruntime. Unknown ops raise NotImplementedError."""
import numpy as np
from onnx import helper, numpy_helper

DTYPES = {1: np.float32, 6: np.int32, 7: np.int64, 9: np.bool_, 11: np.float64}


def _attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def run_node(op, x, a):
    """x: list of input arrays (None for omitted optional inputs); a: attributes. Returns list."""
    if op == "Constant":
        return [numpy_helper.to_array(a["value"])]
    if op in ("Add", "Sub", "Mul", "Div", "Pow", "And", "Or", "Equal", "Less", "LessOrEqual",
              "Greater", "GreaterOrEqual", "Max", "Min"):
        f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Pow": np.power,
             "And": np.logical_and, "Or": np.logical_or, "Equal": np.equal, "Less": np.less,
             "LessOrEqual": np.less_equal, "Greater": np.greater, "GreaterOrEqual": np.greater_equal,
             "Max": np.maximum, "Min": np.minimum}
        if op == "Div":
            r = x[0] // x[1] if np.issubdtype(x[0].dtype, np.integer) else x[0] / x[1]
            return [r.astype(x[0].dtype)]
        r = f[op](x[0], x[1])
        return [r.astype(x[0].dtype) if op in ("Add", "Sub", "Mul", "Pow", "Max", "Min") else r]
    if op in ("Sqrt", "Tanh", "Neg", "Not", "Exp", "Cos", "Sin", "Reciprocal", "Sigmoid", "Erf"):
        f = {"Sqrt": np.sqrt, "Tanh": np.tanh, "Neg": np.negative, "Not": np.logical_not, "Exp": np.exp,
             "Cos": np.cos, "Sin": np.sin, "Reciprocal": lambda v: 1 / v,
             "Sigmoid": lambda v: 1 / (1 + np.exp(-v))}
        return [f[op](x[0]).astype(x[0].dtype)]
    if op == "MatMul":
        return [np.matmul(x[0], x[1])]
    if op == "Gemm":
        A = x[0].T if a.get("transA") else x[0]
        B = x[1].T if a.get("transB") else x[1]
        y = a.get("alpha", 1.0) * A @ B
        if len(x) > 2 and x[2] is not None:
            y = y + a.get("beta", 1.0) * x[2]
        return [y.astype(np.float32)]
    if op == "Unsqueeze":
        y = x[0]
        axes = sorted(int(i) % (x[0].ndim + len(x[1])) for i in x[1])
        for ax in axes:
            y = np.expand_dims(y, ax)
        return [y]
    if op == "Squeeze":
        axes = tuple(int(i) for i in x[1]) if len(x) > 1 and x[1] is not None else None
        return [np.squeeze(x[0], axis=axes)]
    if op == "Concat":
        return [np.concatenate(x, axis=a["axis"])]
    if op == "Transpose":
        return [np.transpose(x[0], a.get("perm"))]
    if op == "ReduceMean":
        return [np.mean(x[0], axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1))).astype(x[0].dtype)]
    if op == "Gather":
        return [np.take(x[0], x[1].astype(np.int64), axis=a.get("axis", 0))]
    if op == "Reshape":
        shape = [int(s) for s in x[1]]
        shape = [x[0].shape[i] if s == 0 else s for i, s in enumerate(shape)]
        return [x[0].reshape(shape)]
    if op == "Shape":
        return [np.array(x[0].shape, dtype=np.int64)]
    if op == "Cast":
        return [x[0].astype(DTYPES[a["to"]])]
    if op == "Split":
        axis = a.get("axis", 0)
        sizes = x[1] if len(x) > 1 and x[1] is not None else a.get("split")
        idx = np.cumsum(sizes)[:-1]
        return list(np.split(x[0], idx, axis=axis))
    if op == "Where":
        return [np.where(x[0], x[1], x[2])]
    if op == "Softmax":
        return [_softmax(x[0], a.get("axis", -1)).astype(x[0].dtype)]
    if op == "Range":
        return [np.arange(x[0], x[1], x[2]).astype(x[0].dtype)]
    if op == "Expand":
        shape = np.broadcast_shapes(x[0].shape, tuple(int(s) for s in x[1]))
        return [np.broadcast_to(x[0], shape).copy()]
    if op == "ConstantOfShape":
        v = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
        return [np.full(tuple(int(s) for s in x[0]), v.reshape(-1)[0], dtype=v.dtype)]
    if op == "Slice":
        starts, ends = x[1], x[2]
        axes = x[3] if len(x) > 3 and x[3] is not None else range(len(starts))
        steps = x[4] if len(x) > 4 and x[4] is not None else [1] * len(starts)
        sl = [slice(None)] * x[0].ndim
        for s, e, ax, st in zip(starts, ends, axes, steps):
            sl[int(ax)] = slice(int(s), int(e), int(st))
        return [x[0][tuple(sl)]]
    if op == "Trilu":
        k = int(x[1]) if len(x) > 1 and x[1] is not None else 0
        return [np.triu(x[0], k) if a.get("upper", 1) else np.tril(x[0], k)]
    if op == "Identity":
        return [x[0]]
    if op == "ReduceMax":
        axes = a.get("axes")
        return [np.max(x[0], axis=tuple(axes) if axes else None, keepdims=bool(a.get("keepdims", 1)))]
    if op == "Greater":
        return [np.greater(x[0], x[1])]
    raise NotImplementedError(op)


def run(model, feeds):
    """model: onnx.ModelProto; feeds: {input name: array}. Returns {output name: array}."""
    env = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env.update(feeds)
    _run_graph(model.graph, env)
    return {o.name: env[o.name] for o in model.graph.output}


def _run_graph(graph, env):
    """Runs graph's nodes in order, writing every value into env (If branches see the outer scope)."""
    for node in graph.node:
        if node.op_type == "If":
            cond = bool(np.asarray(env[node.input[0]]).reshape(-1)[0])
            branch = [a.g for a in node.attribute if a.name == ("then_branch" if cond else "else_branch")][0]
            inner = dict(env)
            _run_graph(branch, inner)
            outputs = [inner[o.name] for o in branch.output]
        else:
            inputs = [env[n] if n else None for n in node.input]
            outputs = run_node(node.op_type, inputs, _attrs(node))
        for name, value in zip(node.output, outputs):
            env[name] = np.asarray(value)
