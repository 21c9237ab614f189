"""Items the spiders emit. A fetched page is the store's own record type."""

from __future__ import annotations

from digest.store import FetchedPage as PageItem

__all__ = ["PageItem"]
