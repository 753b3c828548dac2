"""Settings, profiles, paths and threadtui's own log."""
