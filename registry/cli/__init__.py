"""The ``registry`` command: one module per command group, joined in ``registry.cli.main``."""
