"""Long-term memory: a read-only associative store of documents and procedures.

store.py is the SQLite FTS5 store (`MemoryStore`, read-only unless the indexer opens
it); indexer.py, files.py and chunks.py fill it; language.py names the memory
procedures for the analyzer and `check`, and procedures.py makes them (with the
`memory-lookup` tool) over one Interpreter's store. See docs/memory.md.
"""
