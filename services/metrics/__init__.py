"""Metrics: counts the bus's volumes per channel, class, department and queue for Prometheus."""
