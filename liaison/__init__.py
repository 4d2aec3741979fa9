"""Liaison: the system of record for School Resource Officer programs."""

__version__ = "0.2.0"
