"""Stand-in servers speaking real wire protocols, for tests."""
