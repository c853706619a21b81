"""Search inside the service: the open backend, the indexer that feeds it, `/v1/search`."""
