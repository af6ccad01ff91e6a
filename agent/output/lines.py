"""Console lines that print what they say: user text is never read as rich markup.

Why a module of its own: messages carry paths, reasons and install hints (``pip install -e '.[report]'``);
rich reads ``[report]`` as a style and drops it. Every line a command or the progress reporter prints goes
through these, so only the ``error:`` / ``warning:`` label is styled and the message is printed as written.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text


def say(console: Console, message: str) -> None:
    """A line of plain text, printed as written (brackets included)."""
    console.print(Text(message), soft_wrap=True, highlight=False)


def labelled(console: Console, label: str, style: str, message: str) -> None:
    """``<label>: <message>``, the label styled, the message as written."""
    line = Text(f"{label}:", style=style)
    line.append(f" {message}")
    console.print(line, soft_wrap=True, highlight=False)
