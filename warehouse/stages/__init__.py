"""The stages of the warehouse, one module each, in the order a run takes them: catalog, raw,
cleaned, segmented, metrics, quality, marts. Each declares its `STAGE` (name, upstream, tables,
code version) and the functions that read what is pending, call the pure transforms and write the
result; `warehouse/graph.py` puts them in order."""
