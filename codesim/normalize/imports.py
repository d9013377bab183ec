"""The import statements of a file, as written: what the repo graph links modules by.

The canonical stream cannot serve here: it reads first-party module paths relative to the
file's folders and drops the dots of relative imports, on purpose (a vendored copy must
normalize like its original).  A tree-sitter query over ``normalize``'s own tree finds the
statements in C: about 5% of ``normalize``'s time on the standard library's top-level
modules (a second parse cost four times that).
"""

from __future__ import annotations

from functools import cache

import tree_sitter

from codesim.languages import Language
from codesim.normalize.tables import compile_tables
from codesim.tokens import ImportRef

__all__ = ["imports"]

_PYTHON_QUERY = "[(import_statement) (import_from_statement)] @import"


def imports(tree: tree_sitter.Tree, language: Language) -> list[ImportRef]:
    """Every module named by an import statement of the parsed file, nested ones included,
    in source order.  Languages other than Python have none yet."""
    if language.id != "python":
        return []
    nodes = tree_sitter.QueryCursor(_query(language)).captures(tree.root_node).get("import", [])
    found: list[ImportRef] = []
    for node in sorted(nodes, key=lambda n: n.start_byte):
        if node.type == "import_statement":
            found.extend(
                ImportRef(_module(name), 0, ()) for name in node.children_by_field_name("name")
            )
            continue
        source = node.child_by_field_name("module_name")
        if source is None:
            continue
        if source.type == "relative_import":
            level = sum(len(_text(c)) for c in source.children if c.type == "import_prefix")
            path = next((_text(c) for c in source.children if c.type == "dotted_name"), "")
        else:
            level, path = 0, _text(source)
        names = tuple(
            _module(name)
            for name in node.children_by_field_name("name")
            if name.start_byte != source.start_byte
        )
        found.append(ImportRef(path, level, names))
    return found


@cache
def _query(language: Language) -> tree_sitter.Query:
    return tree_sitter.Query(compile_tables(language).parser_language, _PYTHON_QUERY)


def _module(node: tree_sitter.Node) -> str:
    """The imported name of ``a.b`` or ``a.b as c``: ``a.b``."""
    if node.type == "aliased_import":
        name = node.child_by_field_name("name")
        return _text(name) if name is not None else ""
    return _text(node)


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")
