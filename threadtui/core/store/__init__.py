"""The registry of tracked threads (SQLite), its TOML copy, links and the sidebar index."""
