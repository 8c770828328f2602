"""The explorer in a notebook: the page's front end as an anywidget, answered by the kernel."""

from __future__ import annotations

from typing import Any

from .._errors import OptbenchError


def widget_class() -> Any:
    """The widget class (made on first use: anywidget is imported only then)."""
    try:
        import anywidget
        import traitlets
    except ImportError:
        raise OptbenchError(
            "optbench.explore needs anywidget in the notebook's kernel: "
            'pip install "optbench[notebook]".'
        ) from None
    from ._page import front_end

    script, css = front_end()

    class Explore(anywidget.AnyWidget):
        """The explorer: move the start and the sliders; every change runs the steppers in the
        kernel (``runs``), as ``optbench explore --serve`` runs them on its server."""

        _esm = script + "\nexport default { render };\n"
        _css = css
        config = traitlets.Dict().tag(sync=True)
        request = traitlets.Dict().tag(sync=True)
        runs = traitlets.Dict().tag(sync=True)

        def __init__(self, explorer: Any, config: dict[str, Any]):
            super().__init__(config=config)
            self.explorer = explorer

        @traitlets.observe("request")
        def _answer(self, change: Any) -> None:
            try:
                self.runs = self.explorer.answer(change["new"])
            except OptbenchError as err:
                self.runs = {"error": f"optbench: error: {err}"}

    return Explore
