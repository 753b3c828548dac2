"""Text for terminals and files: sanitising remote text, redaction, time labels."""
