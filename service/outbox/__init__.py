"""The outbox: rows written with every searchable change, drained by the indexer."""
