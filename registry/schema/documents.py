"""What a parsed GraphQL request will run: the chosen operation and the fragments it may use.

The gate's lookup counter and the schema's cost guard both walk the operation that would
execute, so they pick it the same way as the executor: by name, or the only one.
"""

from __future__ import annotations

from graphql import DocumentNode, FragmentDefinitionNode, OperationDefinitionNode

__all__ = ["operation_and_fragments"]


def operation_and_fragments(
    document: DocumentNode, operation_name: str | None
) -> tuple[OperationDefinitionNode | None, dict[str, FragmentDefinitionNode]]:
    """The operation named ``operation_name`` (the first one when None), and the document's
    fragments by name."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name is not None and o.name.value == operation_name)
    ]
    return (chosen[0] if chosen else None), fragments
