"""The ground floor: what every other package may use and which imports nothing else of ours —
settings, logs, the error base, the tenant context variable, global ids, the field cipher."""
