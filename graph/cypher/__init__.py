"""The one Cypher catalogue both engines run. Statements are constants; values are $params.

Write statements are built with :func:`graph.cypher.changes.logged`, which makes each batch
one statement that claims the change counter and appends one Change per row.
"""
