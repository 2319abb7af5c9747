"""The benchmark of the pipeline against the bus alone (`make bench`, `python -m benchmarks`)."""
