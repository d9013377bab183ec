"""Cut large images into tiles, resample each tile, and stitch the results back together."""

from __future__ import annotations

from dataclasses import dataclass

from resample import Image, Resampler, blank_image, image_size


@dataclass(frozen=True)
class Tile:
    """A rectangular piece of a larger image, anchored at (top, left)."""

    top: int
    left: int
    pixels: Image

    @property
    def height(self) -> int:
        return len(self.pixels)

    @property
    def width(self) -> int:
        return len(self.pixels[0]) if self.pixels else 0


def tile_starts(length: int, tile_size: int, overlap: int) -> list[int]:
    """Start offsets of tiles covering ``length`` pixels, the last one flush with the end."""
    if tile_size <= overlap:
        raise ValueError("tile_size must be larger than overlap")
    if length <= tile_size:
        return [0]
    step = tile_size - overlap
    starts = list(range(0, length - tile_size, step))
    starts.append(length - tile_size)
    return starts


def split_into_tiles(image: Image, max_h: int, max_w: int, overlap: int = 0) -> list[Tile]:
    """Cover ``image`` with tiles no larger than ``max_h`` x ``max_w``."""
    height, width = image_size(image)
    tiles = []
    for top in tile_starts(height, max_h, overlap):
        for left in tile_starts(width, max_w, overlap):
            rows = image[top : top + max_h]
            pixels = [row[left : left + max_w] for row in rows]
            tiles.append(Tile(top, left, pixels))
    return tiles


def stitch_tiles(tiles: list[Tile], height: int, width: int) -> Image:
    """Paste tiles into a ``height`` x ``width`` image, averaging where they overlap."""
    total = blank_image(height, width)
    counts = blank_image(height, width)
    for tile in tiles:
        for dy in range(tile.height):
            for dx in range(tile.width):
                total[tile.top + dy][tile.left + dx] += tile.pixels[dy][dx]
                counts[tile.top + dy][tile.left + dx] += 1.0
    for y in range(height):
        for x in range(width):
            if counts[y][x] > 0:
                total[y][x] /= counts[y][x]
    return total


def resample_tiled(image: Image, scale: float, max_h: int = 64, max_w: int = 64) -> Image:
    """Scale ``image`` by ``scale`` one tile at a time, so no buffer exceeds one tile."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    resampled = []
    for tile in split_into_tiles(image, max_h, max_w):
        out_h = max(1, round(tile.height * scale))
        out_w = max(1, round(tile.width * scale))
        pixels = Resampler(out_h, out_w).resample(tile.pixels)
        top = round(tile.top * scale)
        left = round(tile.left * scale)
        resampled.append(Tile(top, left, pixels))
    out_height = max(tile.top + tile.height for tile in resampled)
    out_width = max(tile.left + tile.width for tile in resampled)
    return stitch_tiles(resampled, out_height, out_width)
