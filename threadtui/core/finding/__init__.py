"""Finding thread IDs again: recognising IDs, scanning text, importing, checking servers."""
