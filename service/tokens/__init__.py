"""API tokens: random secrets stored only as a hash."""
