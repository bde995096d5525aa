"""Finding the passages for a question: hybrid dense + BM25 search with fusion and
re-ranking, the glossary of acronyms the documents define, follow-up resolution, and the
LangChain retriever adapter.
"""
