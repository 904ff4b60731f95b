"""The CLI's Rich consoles, which never read text as markup.

Charger names, e-mail addresses, addresses and error messages come from clouds, chargers and
users. Rich reads `[...]` in a plain string as markup: a charger named `[/x] garage` crashed
`wallbox chargers` with a MarkupError and `[link=...]` made a terminal link. So every console
here has markup off, and the few styled words are `Text` with a style, never markup.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text


def plain_console(*, stderr: bool = False) -> Console:
    """A console that prints strings as they are (no markup; Rich's highlighting stays)."""
    return Console(stderr=stderr, markup=False)


def styled(text: str, style: str) -> Text:
    """`text` printed in `style` (e.g. "red", "yellow", "dim", "bold"), never parsed."""
    return Text(text, style=style)
