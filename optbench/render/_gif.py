"""Frames to files: one shared palette for every GIF frame, unchanged pixels left transparent.

Quantizing each frame on its own palette (what matplotlib's PillowWriter does) costs most of a naive
animation's time and makes colours flicker. Here the palette is built once from a few sample frames;
every frame is mapped to it, and each frame stores only the pixels that changed since the previous
one (the rest are the transparent index), which LZW compresses to almost nothing.
"""

from __future__ import annotations

import re
import struct
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from optbench._errors import OptbenchError
from optbench._io import atomic_path

TRANSPARENT = 255


def gif_delay_ms(fps: float) -> int:
    """The frame delay GIF can store: 10 ms units, and at least 20 ms (browsers slow shorter
    ones)."""
    return int(max(20, 10 * round(100.0 / fps)))


def palette_frames(count: int, samples: int = 4) -> list[int]:
    """Which of ``count`` frames the palette is built from: the first, the last and a few
    between."""
    return np.unique(np.linspace(0, count - 1, samples).round().astype(int)).tolist()


def shared_palette(samples: Sequence[np.ndarray]) -> Image.Image:
    """A 255-colour palette image from sample frames (see :func:`palette_frames`)."""
    stack = np.concatenate([f[::2, ::2, :3] for f in samples], axis=0)
    return Image.fromarray(stack).quantize(TRANSPARENT, method=Image.Quantize.MEDIANCUT)


def _image_block(index: np.ndarray, left: int, top: int) -> bytes:
    """One frame's image descriptor and LZW data, placed at (left, top), no local colour table.

    The LZW data come from Pillow's GIF encoder directly (``tobytes("gif")``), exactly as Pillow's
    GIF writer makes them: minimum code size 8, rows interlaced unless the block is smaller than
    16 pixels either way, then the data sub-blocks and their terminator.
    """
    h, w = index.shape
    interlace = min(h, w) >= 16
    data = Image.fromarray(index, mode="P").tobytes("gif", "P", 8, int(interlace))
    return (
        b"\x2c"
        + struct.pack("<HHHHBB", left, top, w, h, 0x40 if interlace else 0, 8)
        + data
        + b"\x00"
    )


def pixels(frame: np.ndarray) -> np.ndarray:
    """An RGBA ``(h, w, 4)`` or RGB ``(h, w, 3)`` uint8 frame as one uint32 per pixel, colour in
    the low 24 bits (R | G << 8 | B << 16). A C-contiguous RGBA frame is viewed, not copied: its
    alpha stays in the high byte (compare pixels with it, mask it off with ``COLOUR`` to look a
    colour up)."""
    if frame.shape[-1] == 4 and frame.flags.c_contiguous:
        return frame.view("<u4")[..., 0]
    f = frame.astype(np.uint32)
    return f[..., 0] | (f[..., 1] << 8) | (f[..., 2] << 16)


COLOUR = np.uint32(0xFFFFFF)


class _Mapper:
    """Packed colours to palette indices as Pillow maps them (``quantize`` onto the palette, no
    dithering), remembered in a 2**24 lookup table so each distinct colour is mapped once."""

    def __init__(self, palette: Image.Image):
        self.palette = palette
        self.lut = np.full(1 << 24, TRANSPARENT, np.uint8)  # TRANSPARENT: not looked up yet

    def __call__(self, colours: np.ndarray) -> np.ndarray:
        index = self.lut[colours]
        miss = index == TRANSPARENT
        if miss.any():
            new = np.unique(colours[miss])
            rgb = np.stack([new & 255, (new >> 8) & 255, new >> 16], axis=1).astype(np.uint8)
            image = Image.fromarray(rgb[None])
            mapped = image.quantize(palette=self.palette, dither=Image.Dither.NONE)
            self.lut[new] = np.asarray(mapped)[0]
            index = self.lut[colours]
        return index


class GifStream:
    """A GIF encoded frame by frame as frames arrive, on a worker thread, against one palette.

    ``samples`` are the frames the palette is built from (:func:`palette_frames` of the whole
    animation), so a renderer draws those first and then streams every frame while it draws the
    next. Use as a context manager; :meth:`write` waits for the worker and writes atomically.
    """

    RING = 8  # frames in flight between the caller and the worker

    def __init__(self, samples: Sequence[np.ndarray], fps: float):
        pal = shared_palette(samples)
        palette = pal.getpalette()[: 3 * TRANSPARENT]
        palette += [0, 0, 0] * (256 - len(palette) // 3)
        self.to_index = _Mapper(pal)
        h, w = samples[0].shape[:2]
        self.out = [
            b"GIF89a",
            struct.pack("<HHBBB", w, h, 0xF7, 0, 0),
            bytes(palette),
            b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00",
        ]  # loop forever
        # graphic control: disposal 1 (leave in place), transparent index, delay in 10 ms units
        self.control = b"\x21\xf9\x04" + struct.pack(
            "<BHBB", (1 << 2) | 1, gif_delay_ms(fps) // 10, TRANSPARENT, 0
        )
        self.prev = self.index = None
        self.pool = ThreadPoolExecutor(1)  # one worker: frames are encoded in order
        self.jobs: list[Any] = []
        self.ring: np.ndarray | None = None

    def __enter__(self) -> GifStream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def add(self, frame: np.ndarray) -> None:
        """Queue an RGB ``(h, w, 3)`` or RGBA ``(h, w, 4)`` uint8 frame (alpha ignored).

        The frame is copied, so the caller may draw the next one into the same array. Copies go
        to a ring of reused buffers (fresh ones would be paged in and zeroed by the OS every frame);
        a slot is reused once the worker has encoded the frame after the one it held.
        """
        n = len(self.jobs)
        if self.ring is None:
            self.ring = np.empty((self.RING, *frame.shape), frame.dtype)
        elif frame.shape != self.ring.shape[1:]:
            raise OptbenchError(
                f"every GIF frame must have shape {self.ring.shape[1:]}; "
                f"frame {n} has {frame.shape}."
            )
        if n >= self.RING - 1:
            self.jobs[n - self.RING + 1].result()  # frame n - RING (slot n % RING) is released
        buf = self.ring[n % self.RING]
        np.copyto(buf, frame)
        self.jobs.append(self.pool.submit(self._encode, buf))

    def _encode(self, frame: np.ndarray) -> None:
        now = pixels(frame)  # a view of the ring slot, which stays put until this frame is prev
        if self.prev is None:
            self.index = self.to_index(now & COLOUR)
            block = (self.index, 0, 0)
        else:
            block = _changed(self.prev, now, self.index, self.to_index)
        self.prev = now
        if block is None:  # nothing changed: one transparent pixel keeps the frame and its delay
            block = (np.full((1, 1), TRANSPARENT, np.uint8), 0, 0)
        self.out += [self.control, _image_block(*block)]

    def write(self, path: str | Path) -> Path:
        if not self.jobs:
            raise OptbenchError("an animation needs at least one frame.")
        for job in self.jobs:
            job.result()  # re-raises what failed on the worker
        with atomic_path(path) as tmp:
            tmp.write_bytes(b"".join(self.out) + b"\x3b")
        return Path(path)


def stream_gif(path: str | Path, count: int, draw: Callable[[int], np.ndarray], fps: float) -> Path:
    """Write ``count`` frames drawn by ``draw(j)`` as a GIF that loops forever, atomically.

    ``draw`` returns an RGB or RGBA uint8 frame and may draw every frame into the same array. The
    palette's sample frames (:func:`palette_frames`) are drawn first and kept; then every frame is
    drawn in order and encoded by a :class:`GifStream` worker while the next one is drawn, so
    ``draw(j)`` must give the same frame whatever was drawn before it.
    """
    if count < 1:
        raise OptbenchError("an animation needs at least one frame.")
    samples = {j: draw(j).copy() for j in palette_frames(count)}
    with GifStream(list(samples.values()), fps) as gif:
        for j in range(count):
            gif.add(samples[j] if j in samples else draw(j))
        return gif.write(path)


def write_gif(path: str | Path, frames: Sequence[np.ndarray], fps: float) -> Path:
    """Write RGB ``(h, w, 3)`` or RGBA ``(h, w, 4)`` uint8 frames (alpha ignored) as a GIF that
    loops forever, atomically.

    One global palette; frame k stores only the bounding box of the pixels whose palette index
    changed since frame k-1, with the unchanged ones inside it transparent ("do not dispose"
    keeps the rest). Only pixels whose colour changed are mapped to the palette again: an
    animated race changes about 1 200 of 360 000 pixels a frame.
    """
    return stream_gif(path, len(frames), frames.__getitem__, fps)


def _changed(prev: np.ndarray, now: np.ndarray, index: np.ndarray, to_index: _Mapper):
    """Update ``index`` (frame k-1's palette indices) to frame k in place, from the
    :func:`pixels` of both frames; return the box of changed indices (the rest transparent)
    with its left and top, or None. Works on the flat positions of the moved pixels only."""
    w = index.shape[1]
    pos = np.flatnonzero(now != prev)  # alpha counts too: a changed alpha only costs a lookup
    flat = index.reshape(-1)  # a view: index is updated in place
    new = to_index(now.reshape(-1)[pos] & COLOUR)
    keep = new != flat[pos]
    pos, new = pos[keep], new[keep]
    if not pos.size:
        return None
    flat[pos] = new
    rows, cols = pos // w, pos % w
    top, left = int(rows.min()), int(cols.min())
    block = np.full((int(rows.max()) - top + 1, int(cols.max()) - left + 1), TRANSPARENT, np.uint8)
    block[rows - top, cols - left] = new
    return block, left, top


def write_mp4(path: str | Path, frames: Sequence[np.ndarray], fps: float) -> Path:
    """Write frames as H.264 MP4 through imageio-ffmpeg (the ``video`` extra)."""
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        raise OptbenchError(
            "format 'mp4' needs imageio-ffmpeg; install it with: pip install \"optbench[video]\"."
        ) from None
    import imageio.v2 as imageio

    with atomic_path(path) as tmp, warnings.catch_warnings():
        # ffmpeg runs in a subprocess; JAX warns about every fork, here harmless: the child execs
        # ffmpeg at once and never touches JAX
        warnings.filterwarnings("ignore", re.escape("os.fork() was called"), RuntimeWarning)
        writer = imageio.get_writer(
            tmp,
            format="FFMPEG",
            mode="I",
            fps=fps,
            codec="libx264",
            macro_block_size=2,
            pixelformat="yuv420p",
        )
        try:
            for frame in frames:
                writer.append_data(frame)
        finally:
            writer.close()
    return Path(path)


def write_png(path: str | Path, frame: np.ndarray, dpi: float | None = None) -> Path:
    """Write one RGB frame as PNG, atomically and without timestamps; ``dpi`` stamps its print
    resolution (the pixels stay the frame's)."""
    with atomic_path(path) as tmp:
        extra = {} if dpi is None else {"dpi": (float(dpi), float(dpi))}
        Image.fromarray(frame).save(tmp, format="PNG", **extra)
    return Path(path)
