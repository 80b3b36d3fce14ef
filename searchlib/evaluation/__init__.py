"""Retrieval evaluation: metrics and the eval runner."""
