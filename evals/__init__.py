"""Evaluation harness for LSS-assistenten (see evals/runner.py and evals/README.md)."""
