"""Project-wide records."""

from django.db import models


class Heartbeat(models.Model):
    """The last time a background component (a worker, the scheduler) proved it was alive."""

    name = models.CharField(max_length=200, unique=True)
    last_seen = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.last_seen:%Y-%m-%d %H:%M:%S}"
