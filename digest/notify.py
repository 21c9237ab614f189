"""Send the day's digest to the reader's channels with Apprise (e-mail, Slack, Telegram,
Matrix, a webhook, …: one URL each, see https://github.com/caronc/apprise/wiki).

Delivery comes after the files are written and never blocks them. A digest whose
delivery failed stays marked undelivered in the store, and the next digest run tries it
again (for up to RETRY_DAYS days).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import apprise
from sqlite_utils import Database

from digest import store
from digest.config import Notify

log = logging.getLogger(__name__)
RETRY_DAYS = 7


class DeliveryError(Exception):
    """No channel accepted the digest."""


def send(notify: Notify, *, title: str, markdown: str) -> None:
    """Send one message to every configured URL; raise DeliveryError if any refused it."""
    channels = apprise.Apprise()
    bad = [url for url in notify.urls if not channels.add(url)]
    if bad:
        raise DeliveryError(f"not an Apprise URL Apprise can use: {', '.join(bad)}")
    if not channels.notify(title=title, body=markdown, body_format=apprise.NotifyFormat.MARKDOWN):
        raise DeliveryError("delivery failed (see the log for the channel's answer)")


def deliver_pending(db: Database, notify: Notify, *, today: date) -> list[str]:
    """Send every recent digest not delivered yet; return the days sent."""
    if not notify.urls:
        return []
    sent = []
    oldest = (today - timedelta(days=RETRY_DAYS)).isoformat()
    for row in store.undelivered_digests(db, since=oldest):
        try:
            markdown = Path(row["markdown_path"]).read_text(encoding="utf-8")
            send(notify, title=f"Business digest — {row['day']}", markdown=markdown)
        except (OSError, DeliveryError) as exc:
            log.warning("digest %s not delivered: %s", row["day"], exc)
            store.record_delivery(db, row["day"], error=str(exc))
            continue
        store.record_delivery(db, row["day"], error=None)
        sent.append(row["day"])
    return sent
