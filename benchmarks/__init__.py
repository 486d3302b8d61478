"""Benchmarks: each bench_<part>.py measures against a named baseline in the same run and prints ratios."""
