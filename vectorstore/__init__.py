"""Vectors and indexes: the embedding model, the Chroma store, the lexical index."""
