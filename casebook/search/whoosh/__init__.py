"""The Whoosh engine (engine.py: WhooshEngine, casebook's Engine): generations on disk (store.py),
its schema and fields (schema.py, analyzer.py), searching (searching.py) over the caches searches
read (cache.py), locks (lock.py) and the parallel rebuild's writers (writers.py). The modules of
this folder are the only ones in casebook that use the Whoosh library."""
