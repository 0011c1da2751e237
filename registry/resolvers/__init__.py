"""Thin resolvers: validate, call an operation or the store, map to schema types."""
