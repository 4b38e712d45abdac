"""The HTTP face of the platform: the schema assembled from every area, the GraphQL view and the
middleware that resolves credentials to a principal and a tenant."""
