"""The NHS structure map: bodies, committees and roles, and the relations the documents
state between them, each citing its sentence (issue 14).

    from assistant.structure import library_map
    full = library_map(store)            # every year
    then = as_of(full, 2019)             # as the documents of 2019 and before tell it
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.retrieval.glossary import Glossary
from assistant.structure.build import as_of, build_map, statements_of
from assistant.structure.model import Edge, Evidence, Level, Node, StructureMap
from ingest.structure_rules import load_rules

if TYPE_CHECKING:
    from vectorstore.chroma_store import ChunkStore

__all__ = ["Edge", "Evidence", "Level", "Node", "StructureMap", "as_of", "library_map"]


def library_map(store: ChunkStore) -> StructureMap:
    """The map of every live document in ``store`` (the statements ingest found; a
    document found with older rules is read again from its stored passages)."""
    rules = load_rules()
    records = list(store.live_documents().values())
    glossary = Glossary.from_documents([r.acronyms for r in records])
    documents = statements_of(
        records,
        lambda r: store.chunks_of([r.version]),
        lambda r: store.document_text(r.source_id),
        rules,
    )
    return build_map(documents, glossary, rules)
