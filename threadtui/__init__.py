"""threadtui: browse, audit, chat in and delete OpenAI threads and conversations."""

__version__ = "0.1.0"
