"""What a parsed GraphQL request will run: the chosen operation, its type, the fragments it
may use, and the fields at its root.

The gate (lookup counting, the response cache) and the schema's guards walk the operation
that would execute, so they pick it the same way as the executor: by name, or the only one.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)

__all__ = ["operation_and_fragments", "operation_type", "root_fields"]


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


def operation_type(document: DocumentNode, operation_name: str | None) -> OperationType | None:
    """The type of the operation that would run, or None when none (or several) would."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    return operations[0].operation if len(operations) == 1 else None


def root_fields(document: DocumentNode, operation_name: str | None) -> list[FieldNode]:
    """The fields at the root of the operation, through inline fragments and fragment
    spreads; each fragment is read once, however often it is spread (so cycles end)."""
    operation, fragments = operation_and_fragments(document, operation_name)
    if operation is None:
        return []
    fields: list[FieldNode] = []
    read: set[str] = set()
    pending: list[SelectionSetNode] = [operation.selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                fields.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in read:
                    read.add(name)
                    pending.append(fragments[name].selection_set)
    return fields
