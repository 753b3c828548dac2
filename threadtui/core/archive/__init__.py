"""The local archive of transcripts: storing, importing dumps, search, export."""
