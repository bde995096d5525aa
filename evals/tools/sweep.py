"""Measure retrieval settings on an eval set: how the chunk size and retrieval defaults
were chosen. Prints one row per combination: fact context recall, recall@k, MRR and the
context passed on (characters).

    python -m evals.tools.sweep evals/datasets/dev.jsonl ../shared/corpus

The README's table comes from this grid run before best-sentence re-ranking existed, i.e.
with NHSA_RETRIEVAL__RERANK_CANDIDATES=0 and NHSA_RETRIEVAL__DENSE_CANDIDATES=20; the other
settings are taken from the environment as usual. About 20 minutes on 2 cores.
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from assistant import wiring
from assistant.api import Assistant
from assistant.settings import Settings
from evals.dataset import load_questions
from evals.metrics import Outcome, aggregate, question_checks
from ingest.job import run_ingest
from ingest.options import ChunkingOptions

CHUNK_SIZES = (64, 96, 128, 160, 200, 256)
KS = (4, 5, 6, 8)
CAPS = (0, 2, 3)
LEXICAL_WEIGHTS = (1.0, 1.5, 3.0)


def main(questions_path: str, corpus: str) -> None:
    """Sweep chunk size x k x per-source cap x lexical weight; print a table."""
    questions = [q for q in load_questions(Path(questions_path)) if q.answerable]
    table = Table(title="retrieval sweep (answerable questions)")
    for col in ("max_tokens", "k", "cap", "lex_w", "fact_ctx", "recall@k", "mrr", "chars"):
        table.add_column(col, justify="right")
    base = Settings()
    embedder = wiring.embedder(base)
    for size in CHUNK_SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            settings = base.with_data_dir(Path(tmp))
            store = wiring.open_store(settings)
            run_ingest(
                Path(corpus),
                store,
                lambda: embedder,
                chunking=ChunkingOptions(max_tokens=size, min_tokens=min(48, size // 2)),
            )
            for k, cap, weight in itertools.product(KS, CAPS, LEXICAL_WEIGHTS):
                retrieval = settings.retrieval.model_copy(
                    update={"k": k, "per_source_cap": cap, "lexical_weight": weight}
                )
                assistant = Assistant(
                    settings.model_copy(update={"retrieval": retrieval}), store, embedder
                )
                checks = []
                for q in questions:
                    hits = assistant.retrieve(q.question, q.history or None).hits
                    passages = [(h.chunk.meta.source_id, h.chunk.text) for h in hits]
                    outcome = Outcome(
                        retrieved=passages, answer="", sentences=[], citations=[], abstained=True
                    )
                    checks.append(question_checks(q, outcome, k))
                r = aggregate(questions, checks, [{}] * len(checks))["retrieval"]
                table.add_row(
                    str(size),
                    str(k),
                    str(cap),
                    str(weight),
                    f"{r['fact_context_recall']:.3f}",
                    f"{r['recall_at_k']:.3f}",
                    f"{r['mrr']:.3f}",
                    f"{r['context_chars']:.0f}",
                )
    Console().print(table)


if __name__ == "__main__":
    main(*sys.argv[1:3])
