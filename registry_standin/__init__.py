"""A stand-in for the national graduate registry (全国毕业去向登记系统), run as its own process.

Not a Django app: stdlib only (plus the Django-free ``apps.registry.record_keys``), its own SQLite
store. Protocol: docs/registry-protocol.md. Start: ``python -m registry_standin --help``.
"""
