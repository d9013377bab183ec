"""Patch-wise projection for pictures too large to handle in one go."""

from __future__ import annotations

from dataclasses import dataclass

from projection import Grid, Projection, filled, shape_of


@dataclass(frozen=True)
class Patch:
    row0: int
    col0: int
    data: Grid

    @property
    def height(self) -> int:
        return len(self.data)

    @property
    def width(self) -> int:
        return len(self.data[0]) if self.data else 0


def offsets(extent: int, size: int, overlap: int) -> list[int]:
    if size <= overlap:
        raise ValueError("tile_size must be larger than overlap")
    if extent <= size:
        return [0]
    result = list(range(0, extent - size, size - overlap))
    result.append(extent - size)
    return result


def cut_patches(img: Grid, h_max: int, w_max: int, overlap: int = 0) -> list[Patch]:
    n_rows, n_cols = shape_of(img)
    patches = []
    for r in offsets(n_rows, h_max, overlap):
        for c in offsets(n_cols, w_max, overlap):
            patches.append(Patch(r, c, [line[c : c + w_max] for line in img[r : r + h_max]]))
    return patches


def join_patches(patches: list[Patch], n_rows: int, n_cols: int) -> Grid:
    # overlapping pixels are averaged
    acc, hits = filled(n_rows, n_cols), filled(n_rows, n_cols)
    for p in patches:
        for a in range(p.height):
            for b in range(p.width):
                acc[p.row0 + a][p.col0 + b] = acc[p.row0 + a][p.col0 + b] + p.data[a][b]
                hits[p.row0 + a][p.col0 + b] = hits[p.row0 + a][p.col0 + b] + 1.0
    for y in range(n_rows):
        for x in range(n_cols):
            if hits[y][x] > 0:
                acc[y][x] /= hits[y][x]
    return acc


def project_patchwise(img: Grid, factor: float, h_max: int = 64, w_max: int = 64) -> Grid:
    if factor <= 0:
        raise ValueError(f"scale must be positive, got {factor}")
    done = []
    for p in cut_patches(img, h_max, w_max):
        data = Projection(
            max(1, round(p.height * factor)), max(1, round(p.width * factor))
        ).project(p.data)
        done.append(Patch(round(p.row0 * factor), round(p.col0 * factor), data))
    return join_patches(
        done,
        max(p.row0 + p.height for p in done),
        max(p.col0 + p.width for p in done),
    )
