"""The Whoosh index: generations on disk (store.py), its schema and documents (schema.py), the
caches searches read (cache.py), locks (lock.py) and the parallel rebuild's writers (writers.py).
Only the modules under casebook/search/ import whoosh."""
