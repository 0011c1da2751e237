"""GraphQL types, one module per entity, joined in ``registry.schema.build``."""
