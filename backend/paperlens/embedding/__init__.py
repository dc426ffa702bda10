"""The optional semantic signal's runtime: which model folder to use and whether it is complete
(`model_files`), fetching the default model once with checksums (`fetch`), and turning texts into
unit vectors with ONNX Runtime and `tokenizers` (`encoder`). Nothing here imports the runtime at
import time: a server without the `semantic` extra never loads it and ranks by BM25 alone."""
