"""Development tools beside the eval library: the chunk-size sweep, abstention calibration
and the ingest and answer benchmarks. Run each with ``python -m evals.tools.NAME``.
"""
