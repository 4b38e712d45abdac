"""GraphQL of conversations: the support inbox."""
