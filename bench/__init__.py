"""Performance benchmarks of LSS-assistenten: ``python -m bench`` (see bench/run.py)."""
