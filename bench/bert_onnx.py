"""A BERT encoder written as an ONNX graph from plain weight arrays (numpy), so turning a
sentence-transformers checkpoint into what ONNX Runtime runs needs neither torch nor an exporter:
`bench.embed_model` feeds it the real all-MiniLM-L6-v2 weights, the tests a tiny random BERT of the
same shape. The graph takes input_ids, attention_mask and token_type_ids ([batch, tokens], int64)
and returns last_hidden_state ([batch, tokens, hidden], float32); pooling is the runtime's job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17  # LayerNormalization is an operator from 17 on


@dataclass(frozen=True)
class BertShape:
    vocab_size: int
    hidden: int
    layers: int
    heads: int
    intermediate: int
    max_positions: int
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12

    @classmethod
    def from_config(cls, config: dict) -> "BertShape":
        return cls(config["vocab_size"], config["hidden_size"], config["num_hidden_layers"],
                   config["num_attention_heads"], config["intermediate_size"], config["max_position_embeddings"],
                   config.get("type_vocab_size", 2), config.get("layer_norm_eps", 1e-12))


def random_weights(shape: BertShape, seed: int = 0) -> dict[str, np.ndarray]:
    """Weights with BertModel's names and shapes, drawn at random (a test model)."""
    rng = np.random.default_rng(seed)
    h, i = shape.hidden, shape.intermediate

    def w(*dims):
        return (rng.standard_normal(dims) * 0.2).astype(np.float32)

    weights = {
        "embeddings.word_embeddings.weight": w(shape.vocab_size, h),
        "embeddings.position_embeddings.weight": w(shape.max_positions, h),
        "embeddings.token_type_embeddings.weight": w(shape.type_vocab_size, h),
        "embeddings.LayerNorm.weight": np.ones(h, np.float32),
        "embeddings.LayerNorm.bias": np.zeros(h, np.float32),
    }
    for n in range(shape.layers):
        p = f"encoder.layer.{n}."
        for part in ("query", "key", "value"):
            weights[p + f"attention.self.{part}.weight"] = w(h, h)
            weights[p + f"attention.self.{part}.bias"] = w(h)
        weights.update({
            p + "attention.output.dense.weight": w(h, h), p + "attention.output.dense.bias": w(h),
            p + "attention.output.LayerNorm.weight": np.ones(h, np.float32),
            p + "attention.output.LayerNorm.bias": np.zeros(h, np.float32),
            p + "intermediate.dense.weight": w(i, h), p + "intermediate.dense.bias": w(i),
            p + "output.dense.weight": w(h, i), p + "output.dense.bias": w(h),
            p + "output.LayerNorm.weight": np.ones(h, np.float32),
            p + "output.LayerNorm.bias": np.zeros(h, np.float32),
        })
    return weights


def bert_graph(shape: BertShape, weights: dict[str, np.ndarray]) -> onnx.ModelProto:
    """BertModel's forward pass (absolute positions, erf GELU, post-layer-norm) as an ONNX model."""
    weights = {k.removeprefix("bert."): v for k, v in weights.items()}
    nodes, inits = [], []
    count = [0]

    def name(stem: str) -> str:
        count[0] += 1
        return f"{stem}_{count[0]}"

    def const(array: np.ndarray, stem: str = "c") -> str:
        n = name(stem)
        inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def op(kind: str, inputs: list[str], **attrs) -> str:
        out = name(kind.lower())
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def linear(x: str, prefix: str) -> str:  # torch Linear: x @ W.T + b
        return op("Add", [op("MatMul", [x, const(weights[prefix + ".weight"].T.copy(), "w")]),
                          const(weights[prefix + ".bias"], "b")])

    def layer_norm(x: str, prefix: str) -> str:
        return op("LayerNormalization", [x, const(weights[prefix + ".weight"], "g"), const(weights[prefix + ".bias"], "b")],
                  axis=-1, epsilon=shape.layer_norm_eps)

    h, heads = shape.hidden, shape.heads
    head = h // heads
    tokens = op("Gather", [op("Shape", ["input_ids"]), const(np.array(1, np.int64))], axis=0)
    positions = op("Range", [const(np.array(0, np.int64)), tokens, const(np.array(1, np.int64))])
    x = op("Add", [op("Gather", [const(weights["embeddings.word_embeddings.weight"], "we"), "input_ids"]),
                   op("Gather", [const(weights["embeddings.position_embeddings.weight"], "pe"), positions])])
    x = op("Add", [x, op("Gather", [const(weights["embeddings.token_type_embeddings.weight"], "te"), "token_type_ids"])])
    x = layer_norm(x, "embeddings.LayerNorm")
    # padded tokens get -10000 before the softmax, as BertModel's extended attention mask does
    mask = op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    bias = op("Mul", [op("Sub", [const(np.array(1.0, np.float32)), mask]), const(np.array(-10000.0, np.float32))])
    bias = op("Unsqueeze", [bias, const(np.array([1, 2], np.int64))])
    split = const(np.array([0, 0, heads, head], np.int64))
    merge = const(np.array([0, 0, h], np.int64))
    scale = const(np.array(1.0 / math.sqrt(head), np.float32))
    for n in range(shape.layers):
        p = f"encoder.layer.{n}."
        q = op("Transpose", [op("Reshape", [linear(x, p + "attention.self.query"), split])], perm=[0, 2, 1, 3])
        k = op("Transpose", [op("Reshape", [linear(x, p + "attention.self.key"), split])], perm=[0, 2, 3, 1])
        v = op("Transpose", [op("Reshape", [linear(x, p + "attention.self.value"), split])], perm=[0, 2, 1, 3])
        scores = op("Add", [op("Mul", [op("MatMul", [q, k]), scale]), bias])
        context = op("MatMul", [op("Softmax", [scores], axis=-1), v])
        context = op("Reshape", [op("Transpose", [context], perm=[0, 2, 1, 3]), merge])
        x = layer_norm(op("Add", [linear(context, p + "attention.output.dense"), x]), p + "attention.output.LayerNorm")
        inner = linear(x, p + "intermediate.dense")
        gelu = op("Mul", [op("Mul", [inner, const(np.array(0.5, np.float32))]),
                          op("Add", [op("Erf", [op("Div", [inner, const(np.array(math.sqrt(2.0), np.float32))])]),
                                     const(np.array(1.0, np.float32))])])
        x = layer_norm(op("Add", [linear(gelu, p + "output.dense"), x]), p + "output.LayerNorm")
    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
    batch_tokens = ["batch", "tokens"]
    graph = helper.make_graph(
        nodes, "bert",
        [helper.make_tensor_value_info(n, TensorProto.INT64, batch_tokens)
         for n in ("input_ids", "attention_mask", "token_type_ids")],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", h])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="paperlens-bench")
    model.ir_version = 8  # readable by every ONNX Runtime from 1.14 on
    onnx.checker.check_model(model)
    return model
