"""GraphQL of WhatsApp channels."""
