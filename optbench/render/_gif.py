"""Frames to files: one shared palette for every GIF frame, unchanged pixels left transparent.

Quantizing each frame on its own palette (what matplotlib's PillowWriter does) costs most of a naive
animation's time and makes colours flicker. Here the palette is built once from a few sample frames;
every frame is mapped to it, and each frame stores only the pixels that changed since the previous
one (the rest are the transparent index), which LZW compresses to almost nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from optbench._errors import OptbenchError
from optbench._io import atomic_path

TRANSPARENT = 255


def gif_delay_ms(fps: float) -> int:
    """The frame delay GIF can store: 10 ms units, and at least 20 ms (browsers slow shorter ones)."""
    return int(max(20, 10 * round(100.0 / fps)))


def shared_palette(frames: Sequence[np.ndarray], samples: int = 4) -> Image.Image:
    """A 255-colour palette image from the first, last and a few middle frames."""
    pick = np.unique(np.linspace(0, len(frames) - 1, samples).round().astype(int))
    stack = np.concatenate([frames[i][::2, ::2] for i in pick], axis=0)
    return Image.fromarray(stack).quantize(TRANSPARENT, method=Image.Quantize.MEDIANCUT)


def write_gif(path: str | Path, frames: Sequence[np.ndarray], fps: float) -> Path:
    """Write RGB frames (h, w, 3) uint8 as a GIF that loops forever, atomically."""
    if not len(frames):
        raise OptbenchError("an animation needs at least one frame.")
    pal = shared_palette(frames)
    palette = pal.getpalette()[: 3 * TRANSPARENT]
    palette += [0, 0, 0] * (256 - len(palette) // 3)
    images, prev = [], None
    for frame in frames:
        idx = np.asarray(Image.fromarray(frame).quantize(palette=pal, dither=Image.Dither.NONE))
        shown = idx.copy()
        if prev is not None:
            shown[idx == prev] = TRANSPARENT
        prev = idx
        im = Image.fromarray(shown, mode="P")
        im.putpalette(palette)
        images.append(im)
    with atomic_path(path) as tmp:
        images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:],
                       duration=gif_delay_ms(fps), loop=0, optimize=False,
                       transparency=TRANSPARENT, disposal=1, palette=palette)
    return Path(path)


def write_mp4(path: str | Path, frames: Sequence[np.ndarray], fps: float) -> Path:
    """Write frames as H.264 MP4 through imageio-ffmpeg (the ``video`` extra)."""
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        raise OptbenchError(
            "format 'mp4' needs imageio-ffmpeg; install it with: pip install \"optbench[video]\"."
        ) from None
    import imageio.v2 as imageio

    with atomic_path(path) as tmp:
        writer = imageio.get_writer(tmp, format="FFMPEG", mode="I", fps=fps, codec="libx264",
                                    macro_block_size=2, output_params=["-pix_fmt", "yuv420p"])
        try:
            for frame in frames:
                writer.append_data(frame)
        finally:
            writer.close()
    return Path(path)


def write_png(path: str | Path, frame: np.ndarray) -> Path:
    """Write one RGB frame as PNG, atomically and without timestamps."""
    with atomic_path(path) as tmp:
        Image.fromarray(frame).save(tmp, format="PNG")
    return Path(path)
