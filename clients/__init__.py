"""The Python client and command-line client for Hindsight's HTTP API."""
