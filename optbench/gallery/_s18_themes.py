"""One race in the four themes: light, dark, print and projector."""

from pathlib import Path

NAME = "themes"
TITLE = "One race in the four themes"
CAPTION = (
    "The same race (gradient descent, momentum and Adam on the κ = 20 valley) as a still in each "
    "theme: light for screens, dark for dark slides, print (a pale fill; each path its own dash "
    "and head marker, so it reads in grayscale) and projector (thick lines, large type). Every two "
    "path colours of a theme are at least 20 apart in CIEDE2000."
)
REPRODUCE = """\
optbench race quadratic:kappa=20,angle=0.5 sgd:lr=0.05 momentum:lr=0.05,beta=0.6 adam:lr=0.05 \\
    --steps 80 --format png --size 480 --theme light -o themes/light
optbench race quadratic:kappa=20,angle=0.5 sgd:lr=0.05 momentum:lr=0.05,beta=0.6 adam:lr=0.05 \\
    --steps 80 --format png --size 480 --theme dark -o themes/dark
optbench race quadratic:kappa=20,angle=0.5 sgd:lr=0.05 momentum:lr=0.05,beta=0.6 adam:lr=0.05 \\
    --steps 80 --format png --size 480 --theme print -o themes/print
optbench race quadratic:kappa=20,angle=0.5 sgd:lr=0.05 momentum:lr=0.05,beta=0.6 adam:lr=0.05 \\
    --steps 80 --format png --size 480 --theme projector -o themes/projector
"""

RU = {
    "title": "Одна гонка в четырёх темах",
    "caption": (
        "Одна и та же гонка (градиентный спуск, момент и Adam в долине с κ = 20) кадром в каждой "
        "теме: light для экрана, dark для тёмных слайдов, print (бледная заливка; у каждого пути "
        "свой штрих и маркер, так что он читается в оттенках серого) и projector (толстые линии, "
        "крупный шрифт). Любые два цвета путей темы отстоят не меньше чем на 20 по CIEDE2000."
    ),
}
THEMES = ("light", "dark", "print", "projector")


def render(out: Path, quick: bool) -> list[Path]:
    import io

    import numpy as np
    from PIL import Image

    import optbench
    from optbench._io import write_bytes
    from optbench.gallery._figure import look
    from optbench.render._animate import contour_frames

    surface = optbench.surfaces.get_spec("quadratic:kappa=20,angle=0.5")
    steppers = ["sgd:lr=0.05", "momentum:lr=0.05,beta=0.6", "adam:lr=0.05"]
    steps = 20 if quick else 80
    runs = optbench.race(surface, steppers, steps)
    side = 240 if quick else 480
    tiles = []
    for theme in THEMES:  # each still drawn in memory, as render.animate draws a PNG's frame
        draw = contour_frames(
            runs,
            surface,
            np.array([steps]),
            "png",
            40,
            size=(side, side),
            theme=theme,
            lang=look().lang,
        )
        tiles.append(np.asarray(draw(0))[..., :3].copy())
    grid = np.concatenate(
        [np.concatenate(tiles[:2], axis=1), np.concatenate(tiles[2:], axis=1)], axis=0
    )
    buffer = io.BytesIO()
    Image.fromarray(grid).save(buffer, format="PNG")
    return [write_bytes(out / f"{NAME}.png", buffer.getvalue())]
