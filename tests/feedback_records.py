"""Chat feedback records as the web app stores them, for the feedback tests."""

from __future__ import annotations

SETTINGS = {"retrieval": {"k": 4}, "answer": {"mode": "extractive"}}


def cited_answer(question: str, *sources: str) -> dict:
    """An Answer as the chat keeps it (JSON), citing one passage of each source."""
    citations = [
        {"n": i, "source_id": s, "title": s.title(), "chunk_id": f"{s}#v#0", "passage": "..."}
        for i, s in enumerate(sources, start=1)
    ]
    return {
        "question": question,
        "text": "An answer. [1]",
        "abstained": False,
        "mode": "extractive",
        "citations": citations,
    }


def abstention(question: str) -> dict:
    return {
        "question": question,
        "text": "The documents do not answer this.",
        "abstained": True,
        "mode": "extractive",
        "citations": [],
    }
