"""The ONNX model transformers.js runs in bench/run's embedding comparison,
made from the same safetensors file Kleio loads (weights/minilm).

    bench/onnx_export.py WEIGHTS_DIR OUT_DIR REFERENCE_JSON

writes OUT_DIR as a transformers.js model folder (config.json,
tokenizer.json, tokenizer_config.json, onnx/model.onnx and
onnx/model_quantized.onnx), then checks both models against the
sentence-transformers vectors in REFERENCE_JSON (embed/tests/fixtures) and
prints the agreement. Pinned in bench/requirements-onnx.txt.

No PyTorch: the graph is written operator by operator, in the form PyTorch's
exporter gives a BERT encoder (the form the published
Xenova/all-MiniLM-L6-v2 has, and the one onnxruntime's graph optimiser
recognises and fuses): MatMul and Add for each dense layer, Reshape and
Transpose around the attention, the exact GELU through Erf, and
LayerNormalization (opset 17). The int8 model is what transformers.js's own
conversion script (scripts/convert.py and quantize.py) makes for a BERT's
default `q8` file: onnxruntime's dynamic quantisation of every operator it
can (the products and the embedding tables), signed 8-bit weights per
channel with the 7-bit range, constant right-hand sides only.
"""

import json
import math
import pathlib
import shutil
import sys

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic
from safetensors.numpy import load_file
from tokenizers import Tokenizer

HIDDEN, HEADS, LAYERS, EPS, MAX_TOKENS = 384, 12, 6, 1e-12, 256


class Graph:
    def __init__(self, weights):
        self.weights = weights
        self.nodes, self.initializers, self.count = [], [], 0

    def constant(self, name, array):
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def weight(self, name, transpose=False):
        array = self.weights[name].astype(np.float32)
        return self.constant(name, array.T.copy() if transpose else array)

    def op(self, op_type, inputs, **attributes):
        self.count += 1
        output = f"{op_type.lower()}_{self.count}"
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=f"/{op_type}_{self.count}", **attributes))
        return output

    def dense(self, x, prefix):
        return self.op("Add", [self.op("MatMul", [x, self.weight(f"{prefix}.weight", transpose=True)]), self.weight(f"{prefix}.bias")])

    def norm(self, x, prefix):
        return self.op("LayerNormalization", [x, self.weight(f"{prefix}.weight"), self.weight(f"{prefix}.bias")], axis=-1, epsilon=EPS)


def build(weights):
    g = Graph(weights)
    head = HIDDEN // HEADS
    split = g.constant("split_heads_shape", np.array([0, 0, HEADS, head], dtype=np.int64))
    merge = g.constant("merge_heads_shape", np.array([0, 0, HIDDEN], dtype=np.int64))
    # Positions 0..len-1 from the input's own shape.
    length = g.op("Gather", [g.op("Shape", ["input_ids"]), g.constant("one_index", np.array(1, dtype=np.int64))], axis=0)
    positions = g.op("Range", [g.constant("zero", np.array(0, dtype=np.int64)), length, g.constant("one", np.array(1, dtype=np.int64))])
    x = g.op("Add", [g.op("Gather", [g.weight("embeddings.word_embeddings.weight"), "input_ids"]),
                     g.op("Gather", [g.weight("embeddings.token_type_embeddings.weight"), "token_type_ids"])])
    x = g.op("Add", [x, g.op("Gather", [g.weight("embeddings.position_embeddings.weight"), positions])])
    x = g.norm(x, "embeddings.LayerNorm")
    # The additive mask, [batch, 1, 1, len]: 0 for tokens, the float minimum for padding.
    mask = g.op("Cast", [g.op("Unsqueeze", ["attention_mask", g.constant("mask_axes", np.array([1, 2], dtype=np.int64))])], to=TensorProto.FLOAT)
    mask = g.op("Mul", [g.op("Sub", [g.constant("one_float", np.array(1.0, dtype=np.float32)), mask]),
                        g.constant("float_min", np.array(np.finfo(np.float32).min, dtype=np.float32))])
    scale = g.constant("score_scale", np.array(math.sqrt(head), dtype=np.float32))
    for i in range(LAYERS):
        p = f"encoder.layer.{i}"
        q = g.op("Transpose", [g.op("Reshape", [g.dense(x, f"{p}.attention.self.query"), split])], perm=[0, 2, 1, 3])
        k = g.op("Transpose", [g.op("Reshape", [g.dense(x, f"{p}.attention.self.key"), split])], perm=[0, 2, 3, 1])
        v = g.op("Transpose", [g.op("Reshape", [g.dense(x, f"{p}.attention.self.value"), split])], perm=[0, 2, 1, 3])
        scores = g.op("Add", [g.op("Div", [g.op("MatMul", [q, k]), scale]), mask])
        context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
        context = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), merge])
        x = g.norm(g.op("Add", [g.dense(context, f"{p}.attention.output.dense"), x]), f"{p}.attention.output.LayerNorm")
        up = g.dense(x, f"{p}.intermediate.dense")
        erf = g.op("Erf", [g.op("Div", [up, g.constant(f"sqrt2_{i}", np.array(math.sqrt(2.0), dtype=np.float32))])])
        gelu = g.op("Mul", [g.op("Mul", [up, g.op("Add", [erf, g.constant(f"one_{i}", np.array(1.0, dtype=np.float32))])]),
                            g.constant(f"half_{i}", np.array(0.5, dtype=np.float32))])
        x = g.norm(g.op("Add", [g.dense(gelu, f"{p}.output.dense"), x]), f"{p}.output.LayerNorm")
    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="/output"))
    ids = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch_size", "sequence_length"]) for n in ("input_ids", "attention_mask", "token_type_ids")]
    out = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch_size", "sequence_length", HIDDEN])
    graph = helper.make_graph(g.nodes, "all-MiniLM-L6-v2", ids, [out], g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="kleio bench/onnx_export.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def sentence_vectors(session, tokenizer, texts):
    out = []
    for text in texts:
        ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
        ones = np.ones_like(ids)
        tokens = session.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": ones, "token_type_ids": np.zeros_like(ids)})[0][0]
        mean = tokens.mean(axis=0)
        out.append(mean / max(np.linalg.norm(mean), 1e-12))
    return np.array(out)


def main(weights_dir, out_dir, reference_json):
    weights_dir, out_dir = pathlib.Path(weights_dir), pathlib.Path(out_dir)
    (out_dir / "onnx").mkdir(parents=True, exist_ok=True)
    fp32, int8 = out_dir / "onnx/model.onnx", out_dir / "onnx/model_quantized.onnx"
    onnx.save(build(load_file(weights_dir / "model.safetensors")), fp32)
    quantize_dynamic(fp32, int8, weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
                     extra_options={"EnableSubgraph": True, "MatMulConstBOnly": True})
    shutil.copy(weights_dir / "config.json", out_dir / "config.json")
    # sentence-transformers truncates MiniLM at 256 tokens and pads per batch;
    # the wheel's tokenizer.json carries a 128-token truncation and fixed
    # padding from another use, which transformers.js would otherwise apply.
    tokenizer_json = json.loads((weights_dir / "tokenizer.json").read_text())
    tokenizer_json["truncation"], tokenizer_json["padding"] = None, None
    (out_dir / "tokenizer.json").write_text(json.dumps(tokenizer_json))
    (out_dir / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "BertTokenizer", "do_lower_case": True, "model_max_length": MAX_TOKENS,
        "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]", "mask_token": "[MASK]",
    }))

    reference = json.loads(pathlib.Path(reference_json).read_text())
    tokenizer = Tokenizer.from_file(str(out_dir / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    want = np.array(reference["minilm"])
    for name, path in (("fp32", fp32), ("int8", int8)):
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        got = sentence_vectors(session, tokenizer, reference["texts"])
        cosines = (got * want).sum(axis=1)
        print(f"{name} ONNX model ({path.stat().st_size / 1e6:.1f} MB) against sentence-transformers on {len(cosines)} texts: "
              f"cosine min {cosines.min():.5f}, mean {cosines.mean():.5f}")
        if name == "fp32" and cosines.min() < 0.9999:
            sys.exit("the fp32 export does not match sentence-transformers; the graph is wrong")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
