"""Batches: many files through the pipeline, resumable, with a store, progress and other engines.

    runner      bounded workers over files; the chunk cache, in-flight sharing, outcomes per notice
    store       SQLite (WAL): notices, chunk calls, runs
    progress    events -> rich progress bar / --log-json lines
    outage      stop sending while a server is down, probe it, resume (stdlib only)
    batchio     OpenAI Batch API / vllm run-batch: export request lines, import results
    engine_ray  the same pipeline on Ray Data
"""
