"""Build hook: compile the normalizer's C parts (``codesim/normalize/_*.c``) in place.

Each C module does what a pure-Python function of the normalizer does, faster; codesim runs
without them (``codesim.normalize.compiled``), so a machine without a C compiler still
installs, with a warning here, and runs the Python code.  The compiler is the one Python was
built with (``sysconfig``'s ``CC``), called directly: the sources are single files with no
dependency beyond Python's headers.  The shared objects are written beside their sources,
where an editable install finds them, and listed as artifacts for a wheel (they are ignored
by git, so hatchling would leave them out otherwise).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCES = Path("codesim") / "normalize"
FLAGS = ["-O2", "-fPIC", "-shared", "-std=c11", "-Wall", "-Wextra"]


class CompiledParts(BuildHookInterface):  # type: ignore[type-arg]
    """Compiles every ``_*.c`` of the normalizer into an extension module."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        built = [
            built for source in sorted((root / SOURCES).glob("_*.c")) if (built := _compile(source))
        ]
        if not built:
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        build_data["artifacts"].extend(str(path.relative_to(root)) for path in built)


def _compile(source: Path) -> Path | None:
    """The extension module built from ``source``, or None (with a warning) if it fails."""
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    target = source.with_name(source.stem + suffix)
    compiler = shlex.split(sysconfig.get_config_var("CC") or "cc")
    include = sysconfig.get_paths()["include"]
    link = ["-undefined", "dynamic_lookup"] if sys.platform == "darwin" else []
    command = [*compiler, *FLAGS, f"-I{include}", str(source), "-o", str(target), *link]
    # A module left from an earlier build would be loaded although it no longer matches
    # its source: a failed build must leave none.
    target.unlink(missing_ok=True)
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        print(
            f"codesim: {source.name} not compiled, the pure-Python code will run instead: "
            f"{detail.strip()}",
            file=sys.stderr,
        )
        return None
    return target
