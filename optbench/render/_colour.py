r"""How far apart two colours look: CIELAB and the CIEDE2000 colour difference.

``ciede2000(a, b)`` is :math:`\Delta E_{00}` (Sharma, Wu & Dalal 2005) between two matplotlib
colours, taken as sRGB under the D65 white point. A difference near 1 is just noticeable; the
themes keep every two path colours at least :data:`DISTINCT` apart, so they stay told apart on a
projector and by viewers with the common colour-vision deficiencies (the Okabe-Ito palette).

Reference: Sharma, G., Wu, W. & Dalal, E. N. (2005). The CIEDE2000 color-difference formula:
implementation notes, supplementary test data, and mathematical observations. Color Research &
Application 30(1), 21-30.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.colors import to_rgb

DISTINCT = 20.0  # the least CIEDE2000 difference between two path colours of a theme

_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_WHITE = np.array([0.95047, 1.0, 1.08883])  # D65


def lab(colour: Any) -> np.ndarray:
    """CIELAB ``(L, a, b)`` of a matplotlib colour (sRGB, D65)."""
    rgb = np.asarray(to_rgb(colour), dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = _XYZ @ linear / _WHITE
    d = 6 / 29
    f = np.where(xyz > d**3, np.cbrt(xyz), xyz / (3 * d**2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e00(lab1: Any, lab2: Any) -> float:
    """CIEDE2000 between two CIELAB colours (the formula of Sharma et al., with k_L = k_C =
    k_H = 1)."""
    (l1, a1, b1), (l2, a2, b2) = np.asarray(lab1, float), np.asarray(lab2, float)
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean**7 / (c_mean**7 + 25.0**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1 = np.degrees(np.arctan2(b1, a1)) % 360 if c1 else 0.0
    h2 = np.degrees(np.arctan2(b2, a2)) % 360 if c2 else 0.0
    dh = 0.0
    if c1 * c2:
        dh = h2 - h1
        dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    d_l, d_c = l2 - l1, c2 - c1
    d_h = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    l_mean, c_mean = (l1 + l2) / 2, (c1 + c2) / 2
    if not c1 * c2:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(h_mean - 30))
        + 0.24 * np.cos(np.radians(2 * h_mean))
        + 0.32 * np.cos(np.radians(3 * h_mean + 6))
        - 0.20 * np.cos(np.radians(4 * h_mean - 63))
    )
    rotation = 30 * np.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(c_mean**7 / (c_mean**7 + 25.0**7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_mean, 1 + 0.015 * c_mean * t
    r_t = -np.sin(np.radians(2 * rotation)) * r_c
    return float(
        np.sqrt(
            (d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h)
        )
    )


def ciede2000(colour1: Any, colour2: Any) -> float:
    """CIEDE2000 difference between two matplotlib colours (``"#E69F00"``, ``"black"``, RGB)."""
    return delta_e00(lab(colour1), lab(colour2))
