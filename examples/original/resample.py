"""Resample grayscale images to a fixed size.

Images are plain nested lists (a list of rows of floats) so that this module has no
dependencies.  ``Resampler`` scales an image with nearest-neighbour or bilinear
interpolation; images taller than ``max_h`` rows are processed in horizontal strips so
that the intermediate buffers stay small.
"""

from __future__ import annotations

import math

Image = list[list[float]]

MODES = ("nearest", "bilinear")


def image_size(image: Image) -> tuple[int, int]:
    """Return ``(height, width)``; an empty image is 0 x 0."""
    height = len(image)
    width = len(image[0]) if height else 0
    return height, width


def clamp(value: float, low: float, high: float) -> float:
    """Limit ``value`` to the closed interval [low, high]."""
    if value < low:
        return low
    if value > high:
        return high
    return value


def blank_image(height: int, width: int, fill: float = 0.0) -> Image:
    return [[fill for _ in range(width)] for _ in range(height)]


def check_rectangular(image: Image) -> None:
    """Raise ``ValueError`` when the rows of ``image`` differ in length."""
    height, width = image_size(image)
    for row_index in range(height):
        if len(image[row_index]) != width:
            raise ValueError(
                f"row {row_index} has {len(image[row_index])} pixels, expected {width}"
            )


class Resampler:
    """Scale images to ``out_h`` x ``out_w`` pixels."""

    def __init__(self, out_h: int, out_w: int, mode: str = "bilinear", max_h: int = 256) -> None:
        if out_h <= 0 or out_w <= 0:
            raise ValueError(f"output size must be positive, got {out_h}x{out_w}")
        if mode not in MODES:
            raise ValueError(f"unknown interpolation mode {mode!r}, expected one of {MODES}")
        if max_h < 2:
            raise ValueError("max_h must allow at least two rows per strip")
        self.out_h = out_h
        self.out_w = out_w
        self.mode = mode
        self.max_h = max_h

    def __repr__(self) -> str:
        return f"Resampler({self.out_h}x{self.out_w}, mode={self.mode!r}, max_h={self.max_h})"

    def source_position(self, y: int, x: int, in_h: int, in_w: int) -> tuple[float, float]:
        # Map pixel centres rather than corners: with corners, scaling by exactly one
        # would shift the whole image by half a pixel.
        scale_y = in_h / self.out_h
        scale_x = in_w / self.out_w
        src_y = (y + 0.5) * scale_y - 0.5
        src_x = (x + 0.5) * scale_x - 0.5
        src_y = clamp(src_y, 0.0, in_h - 1)
        src_x = clamp(src_x, 0.0, in_w - 1)
        return src_y, src_x

    def sample_nearest(self, image: Image, src_y: float, src_x: float) -> float:
        row = math.floor(src_y + 0.5)
        col = math.floor(src_x + 0.5)
        return image[row][col]

    def sample_bilinear(self, image: Image, src_y: float, src_x: float) -> float:
        in_h, in_w = image_size(image)
        y0 = math.floor(src_y)
        x0 = math.floor(src_x)
        y1 = min(y0 + 1, in_h - 1)
        x1 = min(x0 + 1, in_w - 1)
        weight_y = src_y - y0
        weight_x = src_x - x0
        top = image[y0][x0] * (1.0 - weight_x) + image[y0][x1] * weight_x
        bottom = image[y1][x0] * (1.0 - weight_x) + image[y1][x1] * weight_x
        return top * (1.0 - weight_y) + bottom * weight_y

    def sample(self, image: Image, src_y: float, src_x: float) -> float:
        if self.mode == "nearest":
            return self.sample_nearest(image, src_y, src_x)
        return self.sample_bilinear(image, src_y, src_x)

    def resample(self, image: Image) -> Image:
        """Return a new image of ``out_h`` x ``out_w`` pixels."""
        check_rectangular(image)
        in_h, in_w = image_size(image)
        if in_h == 0 or in_w == 0:
            raise ValueError("cannot resample an empty image")
        if in_h > self.max_h:
            return self.resample_in_strips(image)
        output = blank_image(self.out_h, self.out_w)
        for y in range(self.out_h):
            for x in range(self.out_w):
                src_y, src_x = self.source_position(y, x, in_h, in_w)
                output[y][x] = self.sample(image, src_y, src_x)
        return output

    def resample_in_strips(self, image: Image) -> Image:
        """Resample a tall image strip by strip; each output row reads at most two input rows."""
        in_h, in_w = image_size(image)
        output = []
        for y in range(self.out_h):
            src_y, _ = self.source_position(y, 0, in_h, in_w)
            first = math.floor(src_y)
            last = min(first + 1, in_h - 1)
            strip = image[first : last + 1]
            row = []
            for x in range(self.out_w):
                _, src_x = self.source_position(y, x, in_h, in_w)
                row.append(self.sample(strip, src_y - first, src_x))
            output.append(row)
        return output


def downscale_factor(in_h: int, in_w: int, max_h: int, max_w: int) -> float:
    """The largest factor <= 1 that fits an ``in_h`` x ``in_w`` image into the limits."""
    if in_h <= 0 or in_w <= 0:
        raise ValueError("image size must be positive")
    factor = min(max_h / in_h, max_w / in_w)
    return min(factor, 1.0)


def fit_within(image: Image, max_h: int, max_w: int, mode: str = "bilinear") -> Image:
    """Shrink ``image`` to fit ``max_h`` x ``max_w``, keeping its aspect ratio."""
    in_h, in_w = image_size(image)
    factor = downscale_factor(in_h, in_w, max_h, max_w)
    if factor == 1.0:
        return [list(row) for row in image]
    out_h = max(1, round(in_h * factor))
    out_w = max(1, round(in_w * factor))
    return Resampler(out_h, out_w, mode=mode).resample(image)
