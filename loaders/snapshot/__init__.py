"""Renderers that turn the real public figures in ``../shared/data`` into the offline snapshot.

Each module here (one per publisher/format) has ``render(shared: Path, out: Path) -> None``: it reads
the traced source files and writes responses *in the publisher's live wire format* for exactly the
requests the matching loader sends, through ``SnapshotWriter``. So the offline build exercises the
same parsing code as a live refresh. Nothing is invented: a figure the source file lacks is absent.
"""
