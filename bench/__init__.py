"""Reproducible benchmarks: each prints the gateway's throughput beside the raw limit measured in the same run."""
