"""Scenario sweeps on dask.distributed (issue 14, spec section 10).

The sweep file, every scenario a task, resume by scenario hash, one results
table and a report. Needs the optional ``sweep`` extra (dask, distributed,
pyarrow). This layer may use every layer below it, plans and decide included
(docs/architecture.md).
"""
