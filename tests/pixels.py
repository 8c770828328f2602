"""Reading pictures back in tests: a picture's pixels, and the colour where a data point lands."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgb
from PIL import Image


def rgb(colour) -> np.ndarray:
    """A matplotlib colour as 0-255 RGB."""
    return np.array(to_rgb(colour)) * 255


def pixels(path) -> np.ndarray:
    """The picture (a GIF's last frame) as an (h, w, 3) int array."""
    with Image.open(path) as im:
        im.seek(getattr(im, "n_frames", 1) - 1)
        return np.asarray(im.convert("RGB")).astype(int)


def near(image, fig, ax, xy, colour, tol=40) -> bool:
    """Whether the pixel where data point ``xy`` of ``ax`` lands (or one beside it) has
    ``colour``."""
    x, y = ax.transData.transform(xy)
    row, col = int(round(fig.bbox.height - y)), int(round(x))
    patch = image[row - 1 : row + 2, col - 1 : col + 2].reshape(-1, 3)
    return bool(np.min(np.abs(patch - rgb(colour)).sum(axis=1)) < tol)


def head_at(image, fig, ax, xy, colour, tol=40) -> bool:
    """Whether a head marker (a disc about 10 px across) of ``colour`` is centred where data
    point ``xy`` lands: the centre and the pixels 3 px above, below, left and right of it have
    the colour (a 2 px path line through the point would not)."""
    x, y = ax.transData.transform(xy)
    row, col = int(round(fig.bbox.height - y)), int(round(x))
    ring = [image[row + dr, col + dc] for dr, dc in ((0, 0), (-3, 0), (3, 0), (0, -3), (0, 3))]
    return all(np.abs(p - rgb(colour)).sum() < tol for p in ring)
