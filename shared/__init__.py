"""Event schemas, topic names and settings that every service of the inquiry pipeline imports.

This package is imported, never run: no service imports another, all import `shared`.
"""
