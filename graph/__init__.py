"""Graph storage: the embedded FalkorDB server and Cypher access."""

from graph import native

native.install()  # before any graph module loads: some have compiled copies
