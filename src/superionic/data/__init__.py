"""Data sets: one loader per source, a registry (paths, checksums, origins), fetch and merge."""
