"""The open thread: its pages, sending, following a run, continuing elsewhere."""
