"""Bulk imports from other lessons-learned systems (`hindsight import`)."""
