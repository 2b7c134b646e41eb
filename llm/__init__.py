"""Model backends: the LLM protocol, the llama.cpp backend, the model store, the KV state cache,
and the settings + factory that load a model. Nothing outside this package imports llama_cpp."""
