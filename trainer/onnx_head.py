"""A classifier's head inside an exported ONNX graph: find it, expose its input, replace it.

Teaching new signs reuses what a bundled model learned without its torch weights: the base
`.onnx` file (any model `trainer.export` writes: CNN-Mamba, or another encoder with the same
pooled-embedding -> linear head -> softmax ending) becomes a frozen feature extractor, and a new
linear head is appended to the same graph, so the personal model is one self-contained file the
app loads like any other.

The head is found structurally, never by tensor name (names change with every export and
architecture): walking back from the `probs` output over pass-through ops (Identity, Dropout)
must meet a Softmax, then either a Gemm or an Add(MatMul(x, W), b) / a MatMul(x, W) whose weights
are initializers; `x` is the pooled embedding.

    d  embedding width (the encoder's d_model)      k  classes of the base model
    k' classes of the personal model
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slr_desktop.core.errors import UserError
from slr_desktop.core.metadata import INPUT_LANDMARKS, INPUT_MASK, OUTPUT_PROBS

EMBEDDING_OUTPUT = "embedding"
PASS_THROUGH = ("Identity", "Dropout")


class HeadError(UserError):
    """The base model's graph does not end in a linear head we can find."""


@dataclass(frozen=True)
class Head:
    """The base model's head: `probs = softmax(x @ weight + bias)`."""

    embedding: str                 # name of the tensor x, (B, d)
    weight: np.ndarray             # (d, k)
    bias: np.ndarray               # (k,)
    nodes: tuple[str, ...]         # names of the head's nodes (linear ... softmax), to remove
    initializers: tuple[str, ...]  # the head's own weight/bias initializers

    @property
    def dim(self) -> int:
        return int(self.weight.shape[0])


def _producers(graph) -> dict:
    return {out: node for node in graph.node for out in node.output}


def _init(graph, name: str) -> np.ndarray | None:
    from onnx import numpy_helper

    for t in graph.initializer:
        if t.name == name:
            return numpy_helper.to_array(t)
    return None


def _attr(node, name: str, default):
    for a in node.attribute:
        if a.name == name:
            import onnx

            return onnx.helper.get_attribute_value(a)
    return default


def find_head(model) -> Head:
    """Locate the linear head in front of the `probs` softmax. Raises `HeadError` (one line)."""
    g = model.graph
    if OUTPUT_PROBS not in [o.name for o in g.output]:
        raise HeadError(f"the base model has no '{OUTPUT_PROBS}' output")
    prod = _producers(g)
    used: list = []

    def back(name: str):
        node = prod.get(name)
        while node is not None and node.op_type in PASS_THROUGH:
            used.append(node)
            node = prod.get(node.input[0])
        return node

    soft = back(OUTPUT_PROBS)
    if soft is None or soft.op_type != "Softmax":
        raise HeadError("the base model's probs are not the output of a Softmax")
    used.append(soft)
    lin = back(soft.input[0])
    if lin is None:
        raise HeadError("nothing feeds the base model's Softmax")
    if lin.op_type == "Gemm":
        if _attr(lin, "transA", 0) or float(_attr(lin, "alpha", 1.0)) != 1.0 or float(_attr(lin, "beta", 1.0)) != 1.0:
            raise HeadError("the base model's head is a Gemm with transA/alpha/beta we do not handle")
        w = _init(g, lin.input[1])
        b = _init(g, lin.input[2]) if len(lin.input) > 2 and lin.input[2] else None
        if w is None:
            raise HeadError("the base model's head weights are not constants")
        w = w.T if _attr(lin, "transB", 0) else w
        x, inits = lin.input[0], [lin.input[1]] + ([lin.input[2]] if b is not None else [])
        used.append(lin)
    elif lin.op_type in ("Add", "MatMul"):
        b, inits = None, []
        if lin.op_type == "Add":
            mm_in = [i for i in lin.input if _init(g, i) is None]
            b_in = [i for i in lin.input if _init(g, i) is not None]
            if len(mm_in) != 1 or len(b_in) != 1:
                raise HeadError("the base model's head Add is not MatMul + constant bias")
            b, inits = _init(g, b_in[0]), [b_in[0]]
            used.append(lin)
            lin = back(mm_in[0])
            if lin is None or lin.op_type != "MatMul":
                raise HeadError("the base model's head is not a MatMul + bias")
        w = _init(g, lin.input[1])
        if w is None:
            raise HeadError("the base model's head weights are not constants")
        x = lin.input[0]
        inits.append(lin.input[1])
        used.append(lin)
    else:
        raise HeadError(f"the base model's Softmax is fed by {lin.op_type}, not a linear head")
    w = np.asarray(w, np.float32)
    if w.ndim != 2:
        raise HeadError(f"the base model's head weight has shape {w.shape}, expected (d, k)")
    b = np.zeros(w.shape[1], np.float32) if b is None else np.asarray(b, np.float32).reshape(-1)
    if b.shape[0] != w.shape[1]:
        raise HeadError(f"head bias of {b.shape[0]} for {w.shape[1]} classes")
    # the head's weights must be its own (not shared with the encoder) for us to drop them
    others = {i for n in g.node if n not in used for i in n.input}
    own = tuple(i for i in inits if i not in others)
    return Head(x, w, b, tuple(n.name or n.output[0] for n in used), own)


def with_embedding(model):
    """A copy of `model` with the head's input as an extra output `embedding` (B, d)."""
    import onnx

    head = find_head(model)
    m = onnx.ModelProto()
    m.CopyFrom(model)
    ident = onnx.helper.make_node("Identity", [head.embedding], [EMBEDDING_OUTPUT], name="teach/embedding")
    m.graph.node.append(ident)
    m.graph.output.append(onnx.helper.make_tensor_value_info(
        EMBEDDING_OUTPUT, onnx.TensorProto.FLOAT, ["batch", head.dim]))
    return m, head


def replace_head(model, weight: np.ndarray, bias: np.ndarray, normalize: bool = False):
    """A copy of `model` whose `probs` = softmax(f(x) @ weight + bias), f = L2 normalisation when
    `normalize`, else identity; the old head's nodes and weights are removed.

    weight (d, k'), bias (k',). The inputs and the output name stay those the app expects.
    """
    import onnx
    from onnx import helper, numpy_helper

    head = find_head(model)
    weight = np.ascontiguousarray(weight, np.float32)
    bias = np.ascontiguousarray(bias, np.float32).reshape(-1)
    if weight.shape[0] != head.dim or weight.shape[1] != bias.shape[0]:
        raise ValueError(f"new head {weight.shape} / {bias.shape} for embedding width {head.dim}")
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    drop = set(head.nodes)
    keep = [n for n in g.node if (n.name or n.output[0]) not in drop]
    del g.node[:]
    g.node.extend(keep)
    inits = [t for t in g.initializer if t.name not in head.initializers]
    del g.initializer[:]
    g.initializer.extend(inits)
    x = head.embedding
    nodes = []
    if normalize:
        nodes.append(helper.make_node("LpNormalization", [x], ["teach/x_norm"], name="teach/normalize",
                                      axis=-1, p=2))
        x = "teach/x_norm"
    g.initializer.extend([numpy_helper.from_array(weight, "teach/head.weight"),
                          numpy_helper.from_array(bias, "teach/head.bias")])
    nodes += [
        helper.make_node("MatMul", [x, "teach/head.weight"], ["teach/logits_mm"], name="teach/head/MatMul"),
        helper.make_node("Add", ["teach/logits_mm", "teach/head.bias"], ["teach/logits"], name="teach/head/Add"),
        helper.make_node("Softmax", ["teach/logits"], [OUTPUT_PROBS], name="teach/head/Softmax", axis=-1),
    ]
    g.node.extend(nodes)
    for o in g.output:
        if o.name == OUTPUT_PROBS:
            o.CopyFrom(helper.make_tensor_value_info(OUTPUT_PROBS, onnx.TensorProto.FLOAT,
                                                     ["batch", int(weight.shape[1])]))
    # value_info of the removed tensors would only confuse the checker
    gone = {out for n in model.graph.node if (n.name or n.output[0]) in drop for out in n.output}
    vi = [v for v in g.value_info if v.name not in gone or v.name == x]
    del g.value_info[:]
    g.value_info.extend(vi)
    return m


class Embedder:
    """The base model as a frozen feature extractor: windows -> pooled embeddings (N, d)."""

    def __init__(self, base_path, threads: int = 1) -> None:
        import onnx

        from slr_desktop.core.runtime import make_session

        model = onnx.load(str(base_path))
        self.model = model
        ext, self.head = with_embedding(model)
        self.session = make_session(ext.SerializeToString(), threads=threads)

    @property
    def dim(self) -> int:
        return self.head.dim

    def __call__(self, landmarks: np.ndarray, mask: np.ndarray, batch: int = 64) -> tuple[np.ndarray, np.ndarray]:
        """landmarks (N, T, 75, 3), mask (N, T, 75) -> embeddings (N, d), base probs (N, k)."""
        embs, probs = [], []
        for s in range(0, len(landmarks), batch):
            e, p = self.session.run([EMBEDDING_OUTPUT, OUTPUT_PROBS], {
                INPUT_LANDMARKS: np.ascontiguousarray(landmarks[s:s + batch], np.float32),
                INPUT_MASK: np.ascontiguousarray(mask[s:s + batch], np.float32)})
            embs.append(e)
            probs.append(p)
        if not embs:
            return np.zeros((0, self.dim), np.float32), np.zeros((0, self.head.weight.shape[1]), np.float32)
        return np.concatenate(embs), np.concatenate(probs)


__all__ = ["EMBEDDING_OUTPUT", "Embedder", "Head", "HeadError", "find_head", "replace_head", "with_embedding"]
