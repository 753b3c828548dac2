"""threadtui's benchmarks: `python -m bench [--smoke] [NAME…]` prints a Markdown table.

See bench/README.md. Each `bench_<name>.py` module here is one benchmark.
"""
