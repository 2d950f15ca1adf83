"""The use cases: start, answer, save, look up. No telegram import here, by design."""
