"""The embedded search backend: full text, trigram and pgvector in the tenant's own schema."""
