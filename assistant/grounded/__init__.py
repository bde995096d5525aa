"""The LLM path: a client for any OpenAI-compatible endpoint, the one grounded writer that
turns numbered passages into cited sentences, and the verifier that keeps only what the
cited passages support. Answers and briefing packs both write through it.
"""
