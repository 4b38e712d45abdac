"""Hybrid search over a tenant's catalog and documents: understanding, embedding, backends."""
