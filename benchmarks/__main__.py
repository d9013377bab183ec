"""``python -m benchmarks`` runs every performance benchmark (see ``benchmarks/run.py``)."""

from __future__ import annotations

from benchmarks.run import main

raise SystemExit(main())
