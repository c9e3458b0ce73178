"""Sign a whole publication: every page with the media it shows as ingredients, every medium
and text, and a signed publication index; incrementally. Modules, one job each:
:mod:`~provenance.publish.scan` (the site's files), :mod:`~provenance.publish.refs` (the media
a page shows), :mod:`~provenance.publish.index` (the publication index),
:mod:`~provenance.publish.plan` (what changed), :mod:`~provenance.publish.run` (the run) and
:mod:`~provenance.publish.check` (verifying a site against its index)."""

from provenance.publish.index import INDEX_PATH, SCHEMA_ID, Entry, Index, LinkProblem
from provenance.publish.run import PUBLISH_SCHEMA_ID, FileOutcome, PublishResult, publish

__all__ = [
    "INDEX_PATH",
    "PUBLISH_SCHEMA_ID",
    "SCHEMA_ID",
    "Entry",
    "FileOutcome",
    "Index",
    "LinkProblem",
    "PublishResult",
    "publish",
]
