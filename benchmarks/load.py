"""16 users at once: readers walking the pages, buddies posting contacts through the form."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from benchmarks.client import Browser, Timed, csrf_token
from benchmarks.report import median, p95


@dataclass
class Tally:
    """What every thread adds to, under one lock."""

    timings: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    posted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, timed: Timed, ok: bool) -> None:
        with self.lock:
            self.timings.append(timed.seconds)
            if not ok:
                self.errors.append(f"{timed.path} {timed.error or timed.status}")


def _reader(browser: Browser, paths: list[str], deadline: float, tally: Tally, seed: int):
    order = paths[:]
    random.Random(seed).shuffle(order)
    step = 0
    while time.monotonic() < deadline:
        timed = browser.get(order[step % len(order)])
        tally.add(timed, timed.status == 200)
        step += 1


def contact_form(day: str, step: int) -> dict[str, str]:
    """A plain contact as a buddy writes it (no signal for the klantmanager)."""
    return {"contact_on": day, "kind": ("gesprek", "telefoon", "app")[step % 3],
            "note": f"Benchmark: contact {step}.", "wellbeing": str(1 + step % 5)}


def _buddy(browser: Browser, candidates: list[int], deadline: float, tally: Tally, day: str):
    step = 0
    while time.monotonic() < deadline:
        path = f"/kandidaten/{candidates[step % len(candidates)]}/contact"
        form = browser.get(path)
        tally.add(form, form.status == 200)
        if form.status == 200:
            sent = browser.post(path, {"csrf_token": csrf_token(browser.last_text),
                                       **contact_form(day, step)})
            ok = sent.status == 302  # saved: on to the contact log
            tally.add(sent, ok)
            if ok:
                with tally.lock:
                    tally.posted += 1
        step += 1


def run_load(readers: list[tuple[Browser, list[str]]], buddies: list[tuple[Browser, list[int]]],
             seconds: float, day: str) -> dict:
    """Run every user in its own thread for ``seconds``; requests in flight then finish."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=_reader, args=(browser, paths, deadline, tally, number))
               for number, (browser, paths) in enumerate(readers)]
    threads += [threading.Thread(target=_buddy, args=(browser, candidates, deadline, tally, day))
                for browser, candidates in buddies]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"users": len(threads), "buddies": len(buddies), "seconds": elapsed,
            "requests": len(tally.timings), "errors": len(tally.errors),
            "error_samples": list(dict.fromkeys(tally.errors))[:5],
            "median": median(tally.timings), "p95": p95(tally.timings), "posted": tally.posted}
