"""Read API of liaison: records and follow-ups, scoped exactly like the pages."""
