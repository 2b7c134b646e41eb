"""The ground floor: errors, crash-safe file writes and text helpers that every layer uses.

Nothing here imports from the rest of longdoc.
"""
