"""Sub-commands of ``python -m intake``: each module here defines ``register(subparsers)``.

A module registers one or more sub-commands with ``subparsers.add_parser(...)`` and sets
``func`` (called with the parsed arguments; its return value is the exit code).
"""
