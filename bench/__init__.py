"""Reproducible benchmarks; results in bench/README.md."""
