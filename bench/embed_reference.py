"""Time sentence-transformers on the same texts and print both throughputs.

Arguments: model (minilm|mpnet), the texts file, the kleio binary.
"""
import os
import pathlib
import subprocess
import sys
import time

import torch
from sentence_transformers import SentenceTransformer, models

model_name, path, kleio_bin = sys.argv[1], sys.argv[2], sys.argv[3]
weights = pathlib.Path(os.environ.get("KLEIO_WEIGHTS", "weights")) / model_name
max_len = {"minilm": 256, "mpnet": 384}[model_name]
texts = open(path).read().split("\n")[:-1]

word = models.Transformer(str(weights), max_seq_length=max_len)
pool = models.Pooling(word.get_embedding_dimension(), pooling_mode="mean")
st = SentenceTransformer(modules=[word, pool, models.Normalize()], device="cpu")
with open(path) as stdin:
    start = time.perf_counter()
    subprocess.run([kleio_bin, "embed", "--model", model_name, "--backend", "cpu"], stdin=stdin, stdout=subprocess.DEVNULL, check=True)
    kleio_s = time.perf_counter() - start

st.encode(texts[:32])  # warm-up
start = time.perf_counter()
st.encode(texts, batch_size=32)
torch_s = time.perf_counter() - start

# FLOPs of one forward pass: the dense layers (2 per multiply-add) and attention.
cfg = word.auto_model.config
h, layers, inter = cfg.hidden_size, cfg.num_hidden_layers, cfg.intermediate_size
lengths = [len(ids) for ids in st.tokenizer(texts, truncation=True, max_length=max_len)["input_ids"]]
flops = sum(layers * (2 * L * (4 * h * h + 2 * h * inter) + 4 * L * L * h) for L in lengths)

n = len(texts)
print(f"machine: {os.cpu_count()} cores, torch {torch.__version__} ({torch.get_num_threads()} threads)")
print(f"model {model_name}, {n} texts, {sum(lengths)} tokens")
print(f"kleio (burn flex, CPU, incl. model load): {n / kleio_s:8.1f} texts/s  {flops / kleio_s / 1e9:6.1f} GFLOP/s")
print(f"sentence-transformers (PyTorch CPU):      {n / torch_s:8.1f} texts/s  {flops / torch_s / 1e9:6.1f} GFLOP/s")
print(f"ratio kleio / pytorch: {torch_s / kleio_s:.2f}x")
