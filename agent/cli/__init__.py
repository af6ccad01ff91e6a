"""The command line: ``xuncha structure|eval|review|export|schema|serve`` (``main``), ``xuncha batch`` (``batch``).
Nothing imports this package; settings are resolved in ``agent.config``."""
