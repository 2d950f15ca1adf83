"""Handlers grouped by feature; each is a small async function that reads, calls, replies."""
