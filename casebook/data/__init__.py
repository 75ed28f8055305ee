"""Data that ships with casebook: the municipality master (municipalities.csv) and its source note,
and the search thesaurus (thesaurus.tsv, read by casebook.search).

A package only so that importlib.resources finds the files; read them through
services.municipalities.packaged_master().
"""
