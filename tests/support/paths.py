"""Where the project is, for tests that read its files (docs, deploy files, templates)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
