"""Quality Registry: a GraphQL registry of China's quality infrastructure."""

from graph import native

native.install()  # before any registry module loads: some have compiled copies
