"""Seeded synthetic inputs for unmet, with planted ground truth (`unmet generate`)."""

from __future__ import annotations

from pipelines.generate.run import DEFAULT_END_DATE, GenerateSummary, default_stores, generate

__all__ = ["DEFAULT_END_DATE", "GenerateSummary", "default_stores", "generate"]
