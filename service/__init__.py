"""Hindsight: the HTTP service (app factory, settings, database, access and domain packages)."""
