"""Bulk: export what the caller may see as JSON lines or CSV; import JSON lines by external id."""
