"""Payment providers' wire formats: one package per provider, no business rules."""
