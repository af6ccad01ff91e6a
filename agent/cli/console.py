"""The commands' stderr: one console for every command module, and the three kinds of line it prints.

``soft_wrap``: an error line naming a file stays one line on stderr (rich would cut it at the terminal
width, or at 80 columns off a terminal) so a log can be grepped for the file name. Messages are printed as
written, never read as markup (``agent.output.lines``).
"""

from __future__ import annotations

from rich.console import Console

from agent.output import lines

err = Console(stderr=True, soft_wrap=True)


def say(message: str) -> None:
    lines.say(err, message)


def error(message: str) -> None:
    lines.labelled(err, "error", "red", message)


def warning(message: str) -> None:
    lines.labelled(err, "warning", "yellow", message)
