"""Workflows: what crosses the domain apps, in one place above them (docs/architecture.md)."""
