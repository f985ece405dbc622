"""Developer tooling, not part of any run: the benchmark harness behind ``make bench``."""
