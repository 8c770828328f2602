"""Frames to files: one shared palette for every GIF frame, unchanged pixels left transparent.

Quantizing each frame on its own palette (what matplotlib's PillowWriter does) costs most of a naive
animation's time and makes colours flicker. Here the palette is built once from a few sample frames;
every frame is mapped to it, and each frame stores only the pixels that changed since the previous
one (the rest are the transparent index), which LZW compresses to almost nothing.
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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


def _image_block(index: np.ndarray, palette: list[int], left: int, top: int) -> bytes:
    """One frame's image descriptor and LZW data, encoded by Pillow, placed at (left, top)."""
    im = Image.fromarray(index, mode="P")
    im.putpalette(palette)
    buf = io.BytesIO()
    im.save(buf, format="GIF", optimize=False)
    data = buf.getvalue()
    pos = 13 + 3 * 2 ** ((data[10] & 7) + 1) if data[10] & 0x80 else 13
    while data[pos] == 0x21:  # skip extension blocks up to the image descriptor
        pos += 2
        while data[pos]:
            pos += data[pos] + 1
        pos += 1
    assert data[pos] == 0x2C and data[pos + 9] & 0x80 == 0, "expected one image, no local table"
    return b"\x2c" + struct.pack("<HH", left, top) + data[pos + 5: -1]  # drop the trailer


def workers() -> int:
    """Threads for frame work: one per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _indices(frame: np.ndarray, pal: Image.Image) -> np.ndarray:
    """An RGB frame as indices into the shared palette (nearest colour, no dithering)."""
    return np.asarray(Image.fromarray(frame).quantize(palette=pal, dither=Image.Dither.NONE))


def _frame_block(prev: np.ndarray | None, idx: np.ndarray, palette: list[int]) -> bytes:
    """Frame ``idx`` as the box of pixels that changed since ``prev`` (the rest transparent)."""
    if prev is None:
        return _image_block(idx, palette, 0, 0)
    changed = idx != prev
    rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
    if not rows.size:  # nothing moved: one transparent pixel keeps the frame and its delay
        return _image_block(np.full((1, 1), TRANSPARENT, np.uint8), palette, 0, 0)
    top, left = int(rows[0]), int(cols[0])
    sl = (slice(top, rows[-1] + 1), slice(left, cols[-1] + 1))
    box = np.where(changed[sl], idx[sl], np.uint8(TRANSPARENT))
    return _image_block(np.ascontiguousarray(box), palette, left, top)


def write_gif(path: str | Path, frames: Sequence[np.ndarray], fps: float) -> Path:
    """Write RGB frames (h, w, 3) uint8 as a GIF that loops forever, atomically.

    One global palette; frame k stores only the bounding box of the pixels that changed since
    frame k-1, with the unchanged ones inside it transparent ("do not dispose" keeps the rest).
    """
    if not len(frames):
        raise OptbenchError("an animation needs at least one frame.")
    pal = shared_palette(frames)
    palette = pal.getpalette()[: 3 * TRANSPARENT]
    palette += [0, 0, 0] * (256 - len(palette) // 3)
    h, w = frames[0].shape[:2]
    delay = gif_delay_ms(fps) // 10
    out = [b"GIF89a", struct.pack("<HHBBB", w, h, 0xF7, 0, 0), bytes(palette),
           b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"]  # loop forever
    # quantizing, differencing and LZW-encoding run in Pillow and NumPy with the GIL released:
    # frames are spread over a thread per core
    with ThreadPoolExecutor(workers()) as pool:
        idx = list(pool.map(lambda f: _indices(f, pal), frames))
        blocks = list(pool.map(lambda k: _frame_block(idx[k - 1] if k else None, idx[k], palette),
                               range(len(idx))))
    # graphic control: disposal 1 (leave in place), transparent index, delay in 10 ms units
    control = b"\x21\xf9\x04" + struct.pack("<BHBB", (1 << 2) | 1, delay, TRANSPARENT, 0)
    for block in blocks:
        out += [control, block]
    out.append(b"\x3b")
    with atomic_path(path) as tmp:
        tmp.write_bytes(b"".join(out))
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
