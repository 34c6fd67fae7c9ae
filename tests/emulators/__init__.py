"""Loopback emulators of the remote admin APIs, for backend tests and benchmarks."""
