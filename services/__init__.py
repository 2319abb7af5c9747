"""The four services of the inquiry pipeline; none imports another."""
