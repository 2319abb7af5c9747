"""Intake: every channel's raw inquiry in, one canonical `inquiries.received` event out."""
