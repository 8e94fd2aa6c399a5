"""Database models, sessions and the document store: the one source of truth."""
