"""The tantivy engine (engine.py: TantivyEngine, casebook's Engine): generations on disk (store.py), its
schema and documents (schema.py) and searching (searching.py). casebook's own analysis (analysis.py)
makes every term, so both engines index and query the same terms. The modules of this folder are the
only ones in casebook that use the tantivy library."""
