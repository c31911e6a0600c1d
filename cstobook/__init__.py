"""What the book's chapters share: data loading, tables, charts, maps, formatting, editions."""
import sys

# jsonschema, which frictionless loads to check the data package's descriptor, imports
# rfc3987-syntax when it is installed (JupyterLab's jupyter-events brings it) to check the "iri"
# string formats, and that compiles 38 grammars: about 2 s in every kernel that loads a table.
# No schema the book checks uses those formats, so the import is declined (jsonschema expects
# the package to be missing and carries on without it).
sys.modules.setdefault("rfc3987_syntax", None)
