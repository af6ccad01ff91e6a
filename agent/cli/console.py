"""The commands' stderr: one console for every command module.

``soft_wrap``: an error line naming a file stays one line on stderr (rich would cut it at the terminal
width, or at 80 columns off a terminal) so a log can be grepped for the file name.
"""

from __future__ import annotations

from rich.console import Console

err = Console(stderr=True, soft_wrap=True)
