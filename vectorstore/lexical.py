"""BM25 over the live chunks (bm25s), with the tokenizer the rest of the flow shares."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from vectorstore.records import Chunk

_WORD = re.compile(r"[A-Za-z0-9]+(?:'[a-z]+)?")
_PLURAL_ACRONYM = re.compile(r"^[A-Z]{2,}s$")
_stemmer = Stemmer.Stemmer("english")
# bm25s's 33-word English list misses common function words ("were", "his", "from",
# "does"); without them a question's grammar counts as rare content.
# The index keeps bm25s's own short list: BM25's idf already discounts common words, and
# the retrieval defaults were measured with it.
INDEX_STOPWORDS = frozenset(bm25s.stopwords.STOPWORDS_EN) | {"s"}
STOPWORDS = INDEX_STOPWORDS | frozenset(
    (
        "s am were been being has had having do does did doing would should could can may "
        "might must shall from about above after again against all any because before "
        "below between both during each few further here how i me my myself we our ours "
        "ourselves you your yours he him his himself she her hers herself its itself "
        "what which who whom whose why when where while nor only own same so than too very "
        "just now once more most other some such until up down out off over under into "
        "through yourself yourselves themselves theirs them those these am"
    ).split()
)


def terms(text: str, stopwords: frozenset[str] = STOPWORDS) -> list[str]:
    """Lower-cased, stemmed content words of ``text`` (stopwords dropped)."""
    words = [w.split("'")[0] for w in _WORD.findall(text.replace("’", "'"))]
    # Plural acronyms ("PCNs", "CCGs") are the acronym; the stemmer does not know them.
    words = [w[:-1] if _PLURAL_ACRONYM.match(w) else w for w in words]
    # An acronym is a name even when it spells a stopword: "WHO", "IT".
    kept = [w.lower() for w in words if len(w) > 1 and (w.isupper() or w.lower() not in stopwords)]
    return _stemmer.stemWords(kept)


class LexicalIndex:
    """A BM25 index (bm25s) over a fixed list of chunks, searched for their ids."""

    def __init__(self, chunks: Sequence[Chunk] = ()) -> None:
        """The index of ``chunks`` (their indexed text: heading, title and body)."""
        both = [chunk_terms(c) for c in chunks]
        self._build([c.id or "" for c in chunks], [b[0] for b in both], [b[1] for b in both])

    @classmethod
    def from_terms(
        cls,
        chunk_ids: Sequence[str],
        indexed: Sequence[Sequence[str]],
        quotable: Sequence[Sequence[str]],
    ) -> LexicalIndex:
        """The index of chunks whose terms were computed before (see :func:`chunk_terms`)."""
        index = cls.__new__(cls)
        index._build(chunk_ids, indexed, quotable)
        return index

    def _build(
        self,
        chunk_ids: Sequence[str],
        indexed: Sequence[Sequence[str]],
        quotable: Sequence[Sequence[str]],
    ) -> None:
        self.chunk_ids = list(chunk_ids)
        self._retriever = bm25s.BM25()
        # bm25s wants token ids; its Tokenized type accepts our own vocabulary.
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in indexed]
        self._vocab = vocab
        if self.chunk_ids:
            self._retriever.index(
                bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False
            )
        # How many chunks' own text (not their titles) has each term: the weight of a
        # question's words in answers and in the abstention check.
        self.document_frequency = dict(Counter(t for doc in quotable for t in set(doc)))

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def search(self, query: str, n: int) -> list[tuple[str, float]]:
        """The ids of the ``n`` best chunks for ``query`` with their BM25 scores (zero
        scores dropped), best first."""
        ids = [self._vocab[t] for t in terms(query, INDEX_STOPWORDS) if t in self._vocab]
        if not ids or not self.chunk_ids or n <= 0:
            return []
        scores = self._retriever.get_scores(ids)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        order = top[np.argsort(-scores[top], kind="stable")]
        return [(self.chunk_ids[i], float(scores[i])) for i in order if scores[i] > 0]

    def knows(self, term: str) -> bool:
        """Whether any chunk's text or metadata (title, author, publisher) has the term."""
        return term in self._vocab

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term (terms never seen score highest)."""
        df = self.document_frequency.get(term, 0)
        return float(np.log(1 + (len(self.chunk_ids) - df + 0.5) / (df + 0.5)))

    # -- on disk ---------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write the index into ``folder`` (created; its old contents overwritten)."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.chunk_ids:
            self._retriever.save(str(folder / "bm25"))
        state = {"chunk_ids": self.chunk_ids, "vocab": self._vocab, "df": self.document_frequency}
        (folder / "index.json").write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """An index written by :meth:`save` (its score matrix memory-mapped)."""
        state = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        index = cls.__new__(cls)
        index.chunk_ids = state["chunk_ids"]
        index._vocab = state["vocab"]
        index.document_frequency = state["df"]
        index._retriever = (
            bm25s.BM25.load(str(folder / "bm25"), mmap=True) if index.chunk_ids else bm25s.BM25()
        )
        return index


def chunk_terms(chunk: Chunk) -> tuple[list[str], list[str]]:
    """A chunk's terms as the index reads them: its indexed text's, then its own text's."""
    return terms(chunk.indexed_text, INDEX_STOPWORDS), terms(chunk.quotable_text, INDEX_STOPWORDS)
