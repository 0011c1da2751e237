"""The generated client's types for the schema's Date and DateTime scalars, under names of
their own: an input has a field called ``date``, which would hide ``datetime.date``."""

from datetime import date, datetime

__all__ = ["IsoDate", "IsoDateTime"]

IsoDate = date
IsoDateTime = datetime
