"""The shop's assistant: its per-tenant settings and a record of every turn it answered."""
