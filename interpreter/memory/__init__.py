"""Long-term memory: a read-only associative store of documents and procedures. Not
built yet; see docs/architecture.md for where it will plug in."""
