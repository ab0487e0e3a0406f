"""Fixtures of the registry sync tests: the stand-in registry as a real subprocess."""

from tests.registry.standin import registry_standin, registry_standin_process  # noqa: F401
