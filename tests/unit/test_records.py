"""The store's typed records and their flat Chroma form (vectorstore/records.py)."""

from __future__ import annotations

import json

from vectorstore.records import Chunk, ChunkMeta, DocumentRecord

RECORD = DocumentRecord(
    source_id="ifr",
    version="v1",
    file="ifr.pdf",
    root="/docs",
    chunk_count=3,
    char_count=900,
    ingested_at="2026-12-01T00:00:00+00:00",
    title="IFR policy",
    published="2023-02-08",
    published_precision="day",
    notes=["decoded as cp1252"],
    cleaning_removed={"footer_block": 12},
)


def test_a_document_record_survives_the_round_trip_through_chroma_metadata() -> None:
    flat = RECORD.to_chroma()

    assert all(isinstance(v, (str, int, float, bool)) for v in flat.values())
    assert DocumentRecord.from_chroma(flat) == RECORD


def test_a_record_written_before_the_fields_were_typed_still_reads() -> None:
    # The earlier layout kept the bibliography, notes and cleaning counts in one JSON value.
    old = {
        "source_id": "ifr",
        "version": "v1",
        "file": "ifr.pdf",
        "root": "/docs",
        "chunk_count": 3,
        "char_count": 900,
        "ingested_at": "2026-12-01T00:00:00+00:00",
        "metadata": json.dumps(
            {
                "title": "IFR policy",
                "author": None,
                "published": "2023-02-08",
                "published_precision": "day",
                "notes": ["decoded as cp1252"],
                "cleaning_removed": {"footer_block": 12},
            }
        ),
    }

    record = DocumentRecord.from_chroma(old)

    assert record == RECORD
    assert record.year == 2023


def test_chunk_metadata_is_flat_without_empty_values_and_reads_back() -> None:
    chunk = Chunk("ifr#v1#0", "Text.", ChunkMeta(source_id="ifr", section="Summary", title="T"))

    flat = chunk.meta.to_chroma()

    assert "author" not in flat and flat["section"] == "Summary"
    assert ChunkMeta.from_chroma({**flat, "added_by_a_newer_version": 1}) == chunk.meta
    assert Chunk.from_document(chunk.to_document()) == chunk


def test_the_embedded_text_carries_the_heading_once() -> None:
    meta = ChunkMeta(source_id="s", section="Summary", title="IFR policy")

    assert meta.embedded_text("Body.") == "Summary\nBody."
    assert meta.embedded_text("Summary\nBody.") == "Summary\nBody."
    assert meta.indexed_text("Body.") == "IFR policy\nSummary\nBody."


def test_sentence_vectors_pack_into_text_and_back() -> None:
    import numpy as np

    from vectorstore.chroma_store import pack_vectors, unpack_vectors

    rows = np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32)
    back = unpack_vectors(pack_vectors(rows))
    assert back.shape == (3, 8) and back.dtype == np.float32
    assert np.allclose(back, rows, atol=1e-2)
    assert unpack_vectors(pack_vectors(np.zeros((0, 8)))).shape[0] == 0
