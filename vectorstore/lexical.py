"""BM25 over the live chunks (bm25s), with the tokenizer the rest of the flow shares."""

from __future__ import annotations

import re
from collections.abc import Sequence

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
    """A BM25 index over a fixed list of chunks; rebuilt when the live chunks change."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.chunks = list(chunks)
        self._tokens = [set(terms(c.quotable_text, INDEX_STOPWORDS)) for c in self.chunks]
        self._retriever = bm25s.BM25()
        corpus = [terms(c.indexed_text, INDEX_STOPWORDS) for c in self.chunks]
        if self.chunks:
            # bm25s wants token ids; its Tokenized type accepts our own vocabulary.
            vocab: dict[str, int] = {}
            ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in corpus]
            self._vocab = vocab
            self._retriever.index(
                bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False
            )
        else:
            self._vocab = {}
        self.document_frequency = {
            term: sum(1 for toks in self._tokens if term in toks) for term in self._vocab
        }

    def __len__(self) -> int:
        return len(self.chunks)

    def search(self, query: str, n: int) -> list[tuple[Chunk, float]]:
        """The ``n`` best chunks for ``query`` with their BM25 scores (zero scores dropped)."""
        ids = [self._vocab[t] for t in terms(query, INDEX_STOPWORDS) if t in self._vocab]
        if not ids or not self.chunks:
            return []
        scores = self._retriever.get_scores(ids)
        order = np.argsort(-scores)[: max(0, n)]
        return [(self.chunks[i], float(scores[i])) for i in order if scores[i] > 0]

    def knows(self, term: str) -> bool:
        """Whether any chunk's text or metadata (title, author, publisher) has the term."""
        return term in self._vocab

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term (terms never seen score highest)."""
        df = self.document_frequency.get(term, 0)
        return float(np.log(1 + (len(self.chunks) - df + 0.5) / (df + 0.5)))
