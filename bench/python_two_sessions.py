"""Throughput of the espnetv2 Python module with two Python threads, each with its own Session of
one OpenMP thread, against one thread doing the same work serially (and against one Session of
two OpenMP threads). Because Session.run releases the GIL, the two threads run in parallel.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_two_sessions.py [--images 40] [--rounds 5]

Each round times the three ways in turn (A/B/C alternating, so load from other processes hits
all of them alike) and the medians over rounds are printed. Random-weight models: timing only.
"""

import argparse
import statistics
import threading
import time

import numpy as np

import espnetv2

MODELS = {
    "classification s=2.0 224x224": (("classification", 2.0, 1000, "imagenet"), 224, 224),
    "segmentation PASCAL s=2.0 384x384": (("segmentation", 2.0, 21, "pascal"), 384, 384),
}


def serial(sessions, x, images):
    for _ in range(images):
        sessions[0].run(x)


def two_threads(sessions, x, images):
    threads = [
        threading.Thread(target=lambda s=s: [s.run(x) for _ in range(images // 2)])
        for s in sessions
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=40, help="images per timed batch (even)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for label, (description, height, width) in MODELS.items():
        model = espnetv2.Model.random(*description)
        x = np.random.default_rng(1).standard_normal((1, 3, height, width), np.float32)
        single = [espnetv2.Session(model, threads=1) for _ in range(2)]
        omp2 = [espnetv2.Session(model, threads=2)]
        ways = {
            "1 Python thread, 1 session x 1 OpenMP thread": (serial, single),
            "2 Python threads, 2 sessions x 1 OpenMP thread": (two_threads, single),
            "1 Python thread, 1 session x 2 OpenMP threads": (serial, omp2),
        }
        for run, sessions in ways.values():  # warm-up: plans the buffers
            run(sessions, x, 4)
        times = {name: [] for name in ways}
        cpu = {name: [] for name in ways}  # process CPU time / wall time: 2 = both cores busy
        for _ in range(args.rounds):
            for name, (run, sessions) in ways.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                run(sessions, x, args.images)
                wall = time.perf_counter() - start
                times[name].append(wall / args.images * 1e3)
                cpu[name].append((time.process_time() - start_cpu) / wall)
        base = statistics.median(times[next(iter(ways))])
        print(f"{label}: ms per image (median of {args.rounds} rounds of {args.images} images)")
        for name, values in times.items():
            median = statistics.median(values)
            print(f"  {name:50s} {median:7.2f}  x{base / median:.2f}  cpu/wall "
                  f"{statistics.median(cpu[name]):.2f}   [{', '.join(f'{v:.2f}' for v in values)}]")


if __name__ == "__main__":
    main()
