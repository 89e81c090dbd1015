"""searchlib's command line: ``search`` for queries, ``searchlib`` for everything else.

Installed as the ``searchlib_cli`` package. Each command is a thin layer over the Python API.
"""
