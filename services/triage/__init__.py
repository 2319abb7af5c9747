"""Triage: every inquiry classified simple or specialist (or undetermined), routed to a queue,
and given the cheapest adequate reply channel, each decision with its reasons."""
