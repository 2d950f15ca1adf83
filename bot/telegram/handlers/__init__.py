"""Handlers grouped by feature: each reads an update, calls a use case, delivers the reply."""
