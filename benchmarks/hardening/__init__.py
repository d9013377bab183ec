"""Hardening runs longer than CI allows: coverage-guided fuzzing (``fuzz``) and ``kill -9``
during ``index add`` (``soak``)."""
