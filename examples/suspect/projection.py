"""Projection of single-channel pictures onto a new pixel grid.

A grid is a list of rows, each row a list of floats.  Two interpolation methods are
offered.  Pictures with more than `h_max` rows go through a row-by-row path that keeps
memory use flat.
"""

from __future__ import annotations

import math

Grid = list[list[float]]

METHODS = ("nearest", "bilinear")


def shape_of(img: Grid) -> tuple[int, int]:
    rows = len(img)
    return rows, (len(img[0]) if rows else 0)


def bounded(v: float, lo: float, hi: float) -> float:
    return lo if v < lo else (hi if v > hi else v)


def filled(rows: int, cols: int, value: float = 0.0) -> Grid:
    return [[value for _ in range(cols)] for _ in range(rows)]


def shrink_ratio(rows: int, cols: int, h_max: int, w_max: int) -> float:
    # never upscale: callers only want to fit, not to enlarge
    if rows <= 0 or cols <= 0:
        raise ValueError("image size must be positive")
    ratio = min(h_max / rows, w_max / cols)
    return min(ratio, 1.0)


def validate_grid(img: Grid) -> None:
    rows, cols = shape_of(img)
    for r in range(rows):
        if len(img[r]) != cols:
            raise ValueError(f"row {r} has {len(img[r])} pixels, expected {cols}")


def histogram(img: Grid, bins: int = 16) -> list[int]:
    """Count pixel values in `bins` equal buckets between the minimum and maximum."""
    values = [v for row in img for v in row]
    if not values:
        return [0] * bins
    lowest, highest = min(values), max(values)
    span = (highest - lowest) or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(int((v - lowest) / span * bins), bins - 1)] += 1
    return counts


class Projection:
    """Maps any picture onto a rows x cols grid."""

    def __init__(self, rows: int, cols: int, method: str = "bilinear", h_max: int = 256) -> None:
        if rows <= 0 or cols <= 0:
            raise ValueError(f"output size must be positive, got {rows}x{cols}")
        if method not in METHODS:
            raise ValueError(f"unknown interpolation mode {method!r}, expected one of {METHODS}")
        if h_max < 2:
            raise ValueError("h_max must allow at least two rows per strip")
        self.rows, self.cols, self.method, self.h_max = rows, cols, method, h_max

    def __repr__(self) -> str:
        return f"Projection({self.rows}x{self.cols}, mode={self.method!r}, max_h={self.h_max})"

    def map_back(self, i: int, j: int, src_rows: int, src_cols: int) -> tuple[float, float]:
        # centre-aligned coordinates (see OpenCV's INTER_LINEAR convention)
        fy, fx = src_rows / self.rows, src_cols / self.cols
        sy, sx = (i + 0.5) * fy - 0.5, (j + 0.5) * fx - 0.5
        return bounded(sy, 0.0, src_rows - 1), bounded(sx, 0.0, src_cols - 1)

    def pick_closest(self, img: Grid, sy: float, sx: float) -> float:
        return img[math.floor(sy + 0.5)][math.floor(sx + 0.5)]

    def blend_linear(self, img: Grid, sy: float, sx: float) -> float:
        src_rows, src_cols = shape_of(img)
        r0, c0 = math.floor(sy), math.floor(sx)
        r1, c1 = min(r0 + 1, src_rows - 1), min(c0 + 1, src_cols - 1)
        wy, wx = sy - r0, sx - c0
        upper = img[r0][c0] * (1.0 - wx) + img[r0][c1] * wx
        lower = img[r1][c0] * (1.0 - wx) + img[r1][c1] * wx
        return upper * (1.0 - wy) + lower * wy

    def lookup(self, img: Grid, sy: float, sx: float) -> float:
        if self.method == "nearest":
            return self.pick_closest(img, sy, sx)
        return self.blend_linear(img, sy, sx)

    def project(self, img: Grid) -> Grid:
        validate_grid(img)
        src_rows, src_cols = shape_of(img)
        if src_rows == 0 or src_cols == 0:
            raise ValueError("cannot resample an empty image")
        if src_rows > self.h_max:
            return self.project_by_rows(img)
        out = filled(self.rows, self.cols)
        for i in range(self.rows):
            for j in range(self.cols):
                sy, sx = self.map_back(i, j, src_rows, src_cols)
                out[i][j] = self.lookup(img, sy, sx)
        return out

    def project_by_rows(self, img: Grid) -> Grid:
        src_rows, src_cols = shape_of(img)
        out = []
        for i in range(self.rows):
            sy, _ = self.map_back(i, 0, src_rows, src_cols)
            first = math.floor(sy)
            band = img[first : min(first + 1, src_rows - 1) + 1]
            out.append(
                [
                    self.lookup(band, sy - first, self.map_back(i, j, src_rows, src_cols)[1])
                    for j in range(self.cols)
                ]
            )
        return out


def fit_into(img: Grid, h_max: int, w_max: int, method: str = "bilinear") -> Grid:
    src_rows, src_cols = shape_of(img)
    ratio = shrink_ratio(src_rows, src_cols, h_max, w_max)
    if ratio == 1.0:
        return [list(r) for r in img]
    return Projection(
        max(1, round(src_rows * ratio)), max(1, round(src_cols * ratio)), method=method
    ).project(img)
