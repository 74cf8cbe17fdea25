"""Bounded load through the web processes, recording every write the server acknowledged.

Each client is one liaison officer in a thread of its own, signed in once (the session
lives in the database, so any web process honours it), sending its requests to the web
processes in turn as a load balancer would, and leaving out one that stopped answering as
its health check would. A write is a follow-up opened on one of the officer's victims'
records through the page a person uses; it counts as acknowledged only when the server
answered with the redirect back to the record. A write whose answer never came (the
process died mid-request) is not counted: the client cannot know whether it happened.
A reader only reads its victims' list, a page that may be served from the replica (a
writer's own reads stay on the primary for a while after each write).
"""

import datetime
import re
import threading
import time
from dataclasses import dataclass, field

import requests

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Tally:
    """What one client did: acknowledged writes (reason -> when), reads, failures."""

    acknowledged: dict[str, float] = field(default_factory=dict)
    by_web: dict[str, int] = field(default_factory=dict)  # acknowledged writes per web
    reads_ok: int = 0
    refused: list[str] = field(default_factory=list)  # answered, but not with success
    unanswered: int = 0  # connection refused or reset: no answer at all


class Client(threading.Thread):
    """One officer writing and reading through the web processes until told to stop."""

    def __init__(
        self,
        name: str,
        *,
        username: str,
        password: str,
        records: list[int],
        webs,
        reader: bool = False,
    ):
        super().__init__(name=name, daemon=True)
        self.reader = reader
        self.down: set[str] = set()
        self.username = username
        self.password = password
        self.records = records
        self.webs = webs
        self.stop_event = threading.Event()
        self.tally = Tally()
        self.session = requests.Session()
        self.error: BaseException | None = None
        self._turn = 0

    def _next_web(self) -> str:
        """The next web process in turn, leaving out those that stopped answering."""
        up = [web.url for web in self.webs if web.url not in self.down] or [
            web.url for web in self.webs
        ]
        self._turn += 1
        return up[self._turn % len(up)]

    def _unanswered(self, base: str) -> None:
        self.tally.unanswered += 1
        self.down.add(base)

    def sign_in(self) -> None:
        for _ in range(2 * len(self.webs)):
            base = self._next_web()
            try:
                page = self.session.get(f"{base}/accounts/login/", timeout=30)
                token = CSRF_FIELD.search(page.text).group(1)
                answer = self.session.post(
                    f"{base}/accounts/login/",
                    data={
                        "username": self.username,
                        "password": self.password,
                        "csrfmiddlewaretoken": token,
                    },
                    headers={"Referer": f"{base}/accounts/login/"},
                    allow_redirects=False,
                    timeout=30,
                )
            except requests.ConnectionError:
                self._unanswered(base)
                continue
            if answer.status_code == 302 and "login" not in answer.headers.get("Location", ""):
                return
            raise AssertionError(f"{self.username} could not sign in: {answer.status_code}")
        raise AssertionError(f"{self.username} could not reach any web process to sign in")

    def write(self, number: int) -> None:
        base = self._next_web()
        record = self.records[number % len(self.records)]
        reason = f"Load {self.name} write {number}"
        due_on = datetime.date.today() + datetime.timedelta(days=60)
        try:
            answer = self.session.post(
                f"{base}/liaison/records/{record}/followups/new/",
                data={
                    "due_on": due_on.isoformat(),
                    "reason": reason,
                    "suggested_at": "",
                    "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""),
                },
                headers={"Referer": f"{base}/liaison/records/{record}/followups/new/"},
                allow_redirects=False,
                timeout=30,
            )
        except (requests.ConnectionError, requests.Timeout):
            self._unanswered(base)
            return
        if answer.status_code == 302 and f"/liaison/records/{record}/" in answer.headers.get(
            "Location", ""
        ):
            self.tally.acknowledged[reason] = time.time()
            self.tally.by_web[base] = self.tally.by_web.get(base, 0) + 1
        else:
            self.tally.refused.append(f"POST {answer.status_code} via {base}")

    def read(self) -> None:
        base = self._next_web()
        try:
            answer = self.session.get(f"{base}/liaison/", timeout=30)
        except (requests.ConnectionError, requests.Timeout):
            self._unanswered(base)
            return
        if answer.status_code == 200:
            self.tally.reads_ok += 1
        else:
            self.tally.refused.append(f"GET {answer.status_code} via {base}")

    def run(self) -> None:
        try:
            self.sign_in()
            number = 0
            while not self.stop_event.is_set():
                if self.reader:
                    self.read()
                else:
                    self.write(number)
                    if number % 3 == 2:
                        self.read()
                number += 1
                # Bounded: a few requests a second per client, never a flood.
                self.stop_event.wait(0.1)
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
