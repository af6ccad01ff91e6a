"""The model layer: the only code that talks to a model server.

    extract     instructor + the async OpenAI client, bounded concurrency, network retries vs re-asks
    server      start the embedded llama.cpp server (xllamacpp wheel or a native llama-server)
    modelfile   the model file from PyPI parts: joined, sha256-checked, cached
    supervisor  restart the embedded server when it dies, hold requests meanwhile
"""
