"""Public HTML pages, for people rather than programs."""
