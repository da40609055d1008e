"""The first-run wizard: it exists only until the first admin account does."""
