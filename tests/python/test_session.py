"""Session.run: the input is read in place (not copied), any alignment and read-only arrays work,
outputs are new arrays owned by numpy (a later run does not change them); Model attributes."""

import numpy as np

import espnetv2
from conftest import ramp_input, random_classifier, random_segmenter


def test_the_input_is_read_in_place_not_copied() -> None:
    # The classifier's down-samplers read the input image again (their image branch) after
    # level1. Changing the array from the trace callback at level1 changes the result only if
    # the engine reads the caller's memory rather than a copy taken at the start.
    session = espnetv2.Session(random_classifier(), threads=1)
    x = ramp_input(96, 96)
    session.set_trace(lambda name, value: None)
    untouched = session.run(x)["logits"]

    def overwrite_at_level1(name, value):
        if name == "level1":
            x[...] = 0.0

    session.set_trace(overwrite_at_level1)
    changed = session.run(x)["logits"]
    assert not np.array_equal(changed, untouched)
    assert not x.any()


def test_any_alignment_and_read_only_input() -> None:
    session = espnetv2.Session(random_classifier(), threads=1)
    x = ramp_input(64, 80)
    expected = session.run(x)["logits"]
    for offset in range(1, 16):  # 4-byte steps: every misalignment from a 64-byte line
        buffer = np.empty(x.size + 16, np.float32)
        shifted = buffer[offset : offset + x.size].reshape(x.shape)
        shifted[...] = x
        np.testing.assert_array_equal(session.run(shifted)["logits"], expected)
    frozen = x.copy()
    frozen.flags.writeable = False
    np.testing.assert_array_equal(session.run(frozen)["logits"], expected)


def test_outputs_are_owned_by_numpy() -> None:
    session = espnetv2.Session(random_segmenter(), threads=1)
    a = ramp_input(64, 96)
    first = session.run(a)["output"]
    kept = first.copy()
    second = session.run(-a)["output"]  # same shape: the session reuses its buffers
    np.testing.assert_array_equal(first, kept)
    assert not np.array_equal(first, second)
    assert first.flags["WRITEABLE"] and first.flags["C_CONTIGUOUS"]
    first[...] = 1.0  # ours to change; the next run is unaffected
    np.testing.assert_array_equal(session.run(-a)["output"], second)
    del session  # outputs outlive their session
    assert float(second.sum()) == float(second.sum())


def test_batches_run_as_separate_images() -> None:
    session = espnetv2.Session(random_classifier(), threads=1)
    x = np.concatenate([ramp_input(64, 64), -ramp_input(64, 64)])
    both = session.run(x)["logits"]
    assert both.shape == (2, 1000)
    np.testing.assert_allclose(both[1:], session.run(np.ascontiguousarray(x[1:]))["logits"],
                               rtol=1e-5, atol=1e-5)


def test_model_attributes_and_session_properties() -> None:
    model = random_segmenter()
    assert (model.task, model.family, model.scale, model.classes, model.dataset) == (
        "segmentation", "edgenets", 0.5, 21, "pascal")
    assert model.params == 80353  # upstream model_parameters for s=0.5 PASCAL
    assert model.class_names[:2] == ["background", "aeroplane"]
    assert abs(model.conv_mmacs(384, 384) - 168.46) < 0.01
    session = espnetv2.Session(model, threads=2)
    assert session.model is model and session.threads == 2
    assert session.activation_bytes == 0
    session.run(ramp_input(64, 64))
    assert session.activation_bytes > 0
    assert "threads=2" in repr(session)


def test_trace_gives_named_intermediates() -> None:
    session = espnetv2.Session(random_classifier(), threads=1)
    seen = {}
    session.set_trace(lambda name, value: seen.setdefault(name, value.shape))
    session.run(ramp_input(64, 64))
    assert seen["level1"] == (1, 16, 32, 32)
    assert "level4.0.proj_1x1" in seen
