"""What the workspace remembers: the SQLite catalog, settings, and remembered results."""
