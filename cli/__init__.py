"""The ``newsdesk`` command line: a thin click app over the library (``digest``), the
crawler (``python -m crawler``) and the service (``scheduler.py``).

One function per command, grouped by what they touch: ``reading`` (search, articles,
show, export, status), ``crawling`` (crawl, process, worker, ingest), ``running`` (run,
digest, service, browse, recover), ``sources`` (sources add, sources check: learning a
site's article URLs) and ``tools`` (extract, summarise, demo). Options two
or more commands share are in ``options``; ``app`` holds the group, the options every
command takes and the one place where failures become exit codes.
"""

from cli import crawling, reading, running, sources, tools
from cli.app import main, newsdesk

__all__ = ["crawling", "main", "newsdesk", "reading", "running", "sources", "tools"]
