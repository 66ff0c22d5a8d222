"""Search: the Whoosh index, its change log and indexer, and the public search pages.

Nothing outside this package imports whoosh.
"""
