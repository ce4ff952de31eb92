"""Schemathesis runs of the HTTP API against its own OpenAPI document."""
