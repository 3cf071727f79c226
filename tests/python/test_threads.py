"""Threads: one Session entered by a second thread raises SessionInUseError (the first run is held
inside its trace callback while the second thread tries, so the overlap is certain), the engine
runs without the GIL, and sessions on several threads give the serial results."""

import sys
import threading

import numpy as np
import pytest

import espnetv2
from conftest import make_photo, ramp_input, random_classifier, random_segmenter

PATIENCE = 120  # seconds: a thread that never signals fails the test instead of hanging it


def run_held_inside(session, first, intruder):
    """Runs first() on a thread with `session` stopped at its first traced intermediate, calls
    intruder() meanwhile, then lets the first run finish and returns its result."""
    inside, tried = threading.Event(), threading.Event()
    result = {}

    def hold(name, value):
        if not inside.is_set():
            inside.set()
            assert tried.wait(PATIENCE), "the intruder never came"

    def target():
        try:
            result["value"] = first()
        except BaseException as e:  # reported below, on the test's thread
            result["error"] = e

    session.set_trace(hold)
    thread = threading.Thread(target=target)
    thread.start()
    try:
        assert inside.wait(PATIENCE), "the first run never reached its trace callback"
        intruder()
    finally:
        tried.set()
        thread.join(PATIENCE)
    session.set_trace(None)
    if "error" in result:
        raise result["error"]
    return result["value"]


def traced_reference(model, call):
    # Tracing turns the fused kernels off (the last bits may differ): compare traced with traced.
    session = espnetv2.Session(model, threads=1)
    session.set_trace(lambda name, value: None)
    return call(session)


def test_run_from_a_second_thread_is_refused() -> None:
    model = random_classifier()
    x = ramp_input(96, 96)
    expected = traced_reference(model, lambda s: s.run(x)["logits"])
    session = espnetv2.Session(model, threads=1)
    messages = []

    def intrude():
        with pytest.raises(espnetv2.SessionInUseError) as raised:
            session.run(x)
        messages.append(str(raised.value))
        with pytest.raises(espnetv2.SessionInUseError):
            espnetv2.classify(session, make_photo())
        with pytest.raises(espnetv2.SessionInUseError):
            session.set_trace(None)

    first = run_held_inside(session, lambda: session.run(x)["logits"], intrude)
    assert "one Session per thread" in messages[0]
    np.testing.assert_array_equal(first, expected)  # the held run was not disturbed
    np.testing.assert_array_equal(session.run(x)["logits"], session.run(x)["logits"])


def test_segment_from_two_threads_is_an_error_not_a_crash() -> None:
    model = random_segmenter()
    photo = make_photo(96, 128)
    expected = traced_reference(model, lambda s: espnetv2.segment(s, photo).labels)
    session = espnetv2.Session(model, threads=1)

    def intrude():
        with pytest.raises(espnetv2.SessionInUseError):
            espnetv2.segment(session, photo)

    first = run_held_inside(session, lambda: espnetv2.segment(session, photo), intrude)
    np.testing.assert_array_equal(first.labels, expected)


def test_the_engine_runs_without_the_gil() -> None:
    # With a switch interval of 100 s a thread holding the GIL keeps it until it blocks. The
    # run's first trace callback signals; if run() kept the GIL, this thread could only wake
    # after the whole run returned (and would see `finished`). It wakes while the engine works.
    # A large input: the rest of the run after its first intermediate lasts long enough (tenths
    # of a second) for the OS to schedule this thread even on a loaded machine.
    session = espnetv2.Session(random_segmenter(), threads=1)
    x = ramp_input(512, 512)
    inside, finished = threading.Event(), threading.Event()

    def first_trace(name, value):
        inside.set()

    session.set_trace(first_trace)
    worker = threading.Thread(target=lambda: (session.run(x), finished.set()))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        worker.start()
        assert inside.wait(PATIENCE)
        finished_when_woken = finished.is_set()
    finally:
        sys.setswitchinterval(interval)
        worker.join(PATIENCE)
    assert not finished_when_woken, "Session.run held the GIL for the whole run"


def test_sessions_on_four_threads_give_the_serial_results() -> None:
    model = random_classifier()
    inputs = [ramp_input(64, 64) * (k + 1) for k in range(4)]
    serial = [espnetv2.Session(model, threads=1).run(x)["logits"] for x in inputs]
    results = [None] * 4
    errors = []

    def work(k):
        try:
            session = espnetv2.Session(model, threads=1)
            for _ in range(20):
                out = session.run(inputs[k])["logits"]
                if results[k] is None or np.array_equal(results[k], out):
                    results[k] = out
                else:
                    results[k] = "changed"
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(PATIENCE)
    assert not errors
    for k in range(4):
        np.testing.assert_array_equal(results[k], serial[k])
