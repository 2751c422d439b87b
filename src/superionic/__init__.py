"""superionic: find superionic solid-state electrolytes (Li, Na, K)."""

__version__ = "0.1.0"
