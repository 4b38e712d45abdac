"""The WhatsApp agent: language, context, retrieval tools, LLM providers with failover, the
offline tier and reply formatting. It calls the domain and search; never the GraphQL API."""
