"""GraphQL of the shop's assistant: its settings, its LLM providers' health, its interactions."""
