"""Quality Registry: a GraphQL registry of China's quality infrastructure."""
