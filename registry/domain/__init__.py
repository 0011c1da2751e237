"""Business rules as pure functions: no GraphQL, no I/O."""
