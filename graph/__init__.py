"""Graph storage: the embedded FalkorDB server and Cypher access."""
