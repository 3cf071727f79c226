"""No memory growth: the resident set size after 1000 runs (and after repeated task calls) is
what it was after a warm-up. Output arrays are several MB each for segmentation, so a leaked
output or session buffer would show as hundreds of MB."""

import gc
import os

import espnetv2
from conftest import make_photo, ramp_input, random_classifier, random_segmenter

# Bytes. Measured growth is 0; a leak of only the 4 KB of logits per run would be 4 MB.
ALLOWED_GROWTH = 1 << 20


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        resident_pages = int(f.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def growth_over(runs: int, step) -> int:
    for _ in range(20):  # warm-up: the session plans its buffers, numpy and Python settle
        step()
    gc.collect()
    before = rss_bytes()
    for _ in range(runs):
        step()
    gc.collect()
    return rss_bytes() - before


def test_1000_classification_runs_do_not_grow_memory() -> None:
    session = espnetv2.Session(random_classifier(), threads=1)
    x = ramp_input(224, 224)
    growth = growth_over(1000, lambda: session.run(x))
    assert growth < ALLOWED_GROWTH, f"RSS grew by {growth / 2**20:.1f} MB over 1000 runs"


def test_segmentation_outputs_are_freed() -> None:
    # 21 x 256 x 256 floats = 5.5 MB per output; 100 runs would leak 550 MB.
    session = espnetv2.Session(random_segmenter(), threads=1)
    x = ramp_input(256, 256)
    growth = growth_over(100, lambda: session.run(x))
    assert growth < ALLOWED_GROWTH, f"RSS grew by {growth / 2**20:.1f} MB over 100 runs"


def test_task_calls_do_not_grow_memory() -> None:
    seg_model = random_segmenter()
    session = espnetv2.Session(seg_model, threads=1)
    photo = make_photo(200, 300)

    def segment_and_draw():
        result = espnetv2.segment(session, photo)
        espnetv2.overlay(photo, espnetv2.colorize(result, seg_model), 0.5)

    growth = growth_over(100, segment_and_draw)
    assert growth < ALLOWED_GROWTH, f"RSS grew by {growth / 2**20:.1f} MB over 100 segmentations"
    classifier = espnetv2.Session(random_classifier(), threads=1)
    growth = growth_over(200, lambda: espnetv2.classify(classifier, photo))
    assert growth < ALLOWED_GROWTH, f"RSS grew by {growth / 2**20:.1f} MB over 200 classifications"
