"""The web pages: server-rendered HTML over the same services and visibility as the API."""
