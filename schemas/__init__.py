"""The API contract: pydantic models for requests and responses, shared with `clients/`.

Nothing here imports from `service/`.
"""
