"""The terminal form of artifact evidence: one line of figures and the plain-words summary per
pair of configs, tokenizers, checkpoints or prediction files."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from codesim.results import ArtifactPair

_KIND_NAMES = {
    "config": "configs",
    "tokenizer": "tokenizers",
    "checkpoint": "checkpoints",
    "predictions": "predictions",
}


def artifacts_block(pairs: Sequence[ArtifactPair]) -> RenderableType:
    """Every artifact pair, best first, with its verdict, score, chance and summary."""
    lines: list[RenderableType] = [
        Text("Configs, tokenizers, checkpoints and predictions", style="bold underline")
    ]
    for pair in pairs:
        chance = f"  chance {pair.chance:.1e}" if pair.chance is not None else ""
        lines.append(
            Text.assemble(
                (f"{_KIND_NAMES[pair.kind]:<12}", "bold"),
                Text(pair.left),
                "  <->  ",
                Text(pair.right),
                f"  {pair.verdict.upper()}  score {pair.score:.2f}{chance}",
            )
        )
        lines.append(Text(f"    {pair.summary}"))
    return Group(*lines)
