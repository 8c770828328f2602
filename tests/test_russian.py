"""--lang ru: every word the race's pictures draw is Russian (the steppers' names and numbers
aside), and the fonts matplotlib ships draw every Cyrillic letter used (no missing-glyph box)."""

from __future__ import annotations

import re
import warnings

import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

import optbench
from optbench.render._animate import build
from optbench.render._state import state_frames
from optbench.render._style import LABEL_WORDS, TEXT
from optbench.render._surface3d import build3d

# English words a picture must not show in Russian (a name such as Adam or Nesterov may stay)
ENGLISH = re.compile(
    r"\b(step|loss|diverged|minimum|start|distance|gradient|norm|bias|correction|inside|root|"
    r"centered|form|buffer|size)\b",
    re.IGNORECASE,
)
STEPPERS = ["adam:lr=0.05,bias_correction=false", "rmsprop:lr=0.01,centered=true", "sgd:lr=0.3"]


@pytest.fixture(scope="module")
def runs():
    # sgd at 0.3 diverges; 20 steps, as the gallery's Adam scene (9) runs bias_correction=false
    return optbench.race("quadratic", STEPPERS, 20, record_state=True)


def texts(fig) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def test_every_word_of_the_russian_pictures_is_russian(runs):
    quad = optbench.surfaces.get("quadratic")
    assert runs[2].diverged
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a warning: make it fail
        scenes = [
            build(runs, quad, lang="ru", resolution=30).fig,
            build(runs, quad, lang="ru", resolution=30, panels=True, size="900x400").fig,
            build3d(runs, quad, size=(500, 400), lang="ru", log_height=True).fig,
            state_frames(runs, [0, 20], size=(900, 200), lang="ru").fig,
        ]
        seen = [s for fig in scenes for s in texts(fig)]
    assert any("расходится на шаге" in s for s in seen)  # the divergence notes and legend
    assert any("без поправки смещения" in s for s in seen)
    assert any("центрированный" in s for s in seen)
    for s in seen:
        assert not ENGLISH.search(re.sub(r"\$[^$]*\$", "", s)), s


def test_dejavu_sans_draws_every_cyrillic_letter_optbench_uses():
    words = " ".join(TEXT["ru"].values()) + " ".join(LABEL_WORDS["ru"].values())
    letters = {c for c in words if "\u0400" <= c <= "\u04ff"}
    assert len(letters) > 20
    font = FT2Font(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans")))
    missing = [c for c in sorted(letters) if font.get_char_index(ord(c)) == 0]
    assert missing == []
