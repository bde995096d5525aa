"""The store's errors, importable without loading Chroma (the CLI catches them)."""


class StoreUnavailable(RuntimeError):
    """The store cannot be opened; the message names the folder or server and what to do."""
