"""The task calls against the C++ results (the espnet CLI on the same photos: the same classes and
probabilities, label maps, colours, overlay and detections) and against the reference data."""

import pickle

import numpy as np
import pytest

import espnetv2
from conftest import make_photo, require_reference_data, run_cli, run_cli_plain


def checkpoint(name: str) -> str:
    return str(require_reference_data() / "checkpoints" / name)


def photo_path(name: str) -> str:
    return str(require_reference_data() / "images" / name)


def test_decode_image_from_a_path_and_from_bytes() -> None:
    rgb = espnetv2.decode_image(photo_path("sample8.jpg"))
    expected = np.load(require_reference_data() / "images" / "sample8" / "decoded_rgb.npy")
    assert rgb.dtype == np.uint8 and rgb.shape == expected.shape == (183, 275, 3)
    # The reference is libjpeg's decode; stb_image's IDCT is within 3 levels of it.
    assert np.abs(rgb.astype(int) - expected).max() <= 3
    with open(photo_path("sample8.jpg"), "rb") as f:
        encoded = f.read()
    np.testing.assert_array_equal(espnetv2.decode_image(encoded), rgb)
    np.testing.assert_array_equal(espnetv2.decode_image(memoryview(bytearray(encoded))), rgb)


def test_a_converted_model_file_loads_as_the_checkpoint(tmp_path) -> None:
    source = checkpoint("espnetv2_s_0.5_pascal_384x384.pth")
    converted = tmp_path / "pascal_s0.5.espnet"
    run_cli_plain("convert", source, str(converted))
    a, b = espnetv2.Model.load(source), espnetv2.Model.load(converted)
    assert repr(a) == repr(b) and b.path == str(converted)
    x = np.load(require_reference_data() / "cases" / "seg_pascal_s0.5_64x48" / "input.npy")
    np.testing.assert_array_equal(
        espnetv2.Session(a).run(x)["output"], espnetv2.Session(b).run(x)["output"]
    )


def test_classify_matches_the_cli() -> None:
    model_path = checkpoint("cls_s0.5_random_legacy.pth")
    image = photo_path("sample4.jpg")
    session = espnetv2.Session(espnetv2.Model.load(model_path))
    ours = espnetv2.classify(session, espnetv2.decode_image(image), top_k=5)
    theirs = run_cli("classify", model_path, image, "--top", "5")[0]["top"]
    assert [c.index for c in ours] == [c["index"] for c in theirs]
    assert [c.name for c in ours] == [c["name"] for c in theirs]
    np.testing.assert_allclose([c.probability for c in ours], [c["probability"] for c in theirs],
                               atol=1e-6)
    assert all(isinstance(c, espnetv2.ClassScore) for c in ours)
    assert ours[0].probability >= ours[-1].probability


@pytest.mark.parametrize(
    "model_name, image",
    [
        ("espnetv2_s_2.0_pascal_384x384.pth", "sample11.jpg"),
        ("espnetv2orig_seg_city_s1.0.pth", "sample4.jpg"),
    ],
)
def test_segment_matches_the_cli(model_name: str, image: str, tmp_path) -> None:
    model_path, image_path = checkpoint(model_name), photo_path(image)
    model = espnetv2.Model.load(model_path)
    session = espnetv2.Session(model)
    rgb = espnetv2.decode_image(image_path)
    result = espnetv2.segment(session, rgb)
    theirs = run_cli("segment", model_path, image_path, "-o", str(tmp_path))[0]

    assert (result.width, result.height) == (theirs["width"], theirs["height"])
    assert (result.network_width, result.network_height) == (
        theirs["network_width"],
        theirs["network_height"],
    )
    assert result.labels.shape == (rgb.shape[0], rgb.shape[1]) and result.labels.dtype == np.uint8
    assert result.logits.shape == (1, model.classes, result.network_height, result.network_width)
    assert result.network_labels.shape == (result.network_height, result.network_width)
    np.testing.assert_array_equal(result.network_labels, result.logits[0].argmax(axis=0))
    assert [(c.index, c.name, c.pixels) for c in result.classes] == [
        (c["id"], c["name"], c["pixels"]) for c in theirs["classes"]
    ]
    # The CLI's pictures: the label map in the dataset's colours and the demo's overlay.
    colours = espnetv2.colorize(result, model)
    np.testing.assert_array_equal(colours, espnetv2.decode_image(theirs["labels_png"]))
    np.testing.assert_array_equal(espnetv2.colorize(result.labels, model), colours)
    if "overlay_png" in theirs:
        np.testing.assert_array_equal(
            espnetv2.overlay(rgb, colours, 0.7), espnetv2.decode_image(theirs["overlay_png"])
        )


def test_segment_reproduces_the_reference_label_map() -> None:
    ref = require_reference_data()
    session = espnetv2.Session(espnetv2.Model.load(checkpoint("espnetv2_s_2.0_pascal_384x384.pth")))
    result = espnetv2.segment(session, espnetv2.decode_image(photo_path("sample11.jpg")))
    expected = np.load(ref / "images" / "sample11" / "labels.npy").reshape(result.labels.shape)
    assert np.mean(result.labels == expected) >= 0.98  # the reference data's end-to-end bar


def test_segment_without_logits_gives_the_same_labels() -> None:
    session = espnetv2.Session(espnetv2.Model.load(checkpoint("espnetv2_s_0.5_pascal_384x384.pth")))
    photo = make_photo(120, 160)
    full = espnetv2.segment(session, photo)
    light = espnetv2.segment(session, photo, keep_logits=False)
    assert light.logits is None
    assert full.logits.shape[1] == 21
    assert np.array_equal(light.labels, full.labels)
    assert np.array_equal(light.network_labels, full.network_labels)
    assert np.array_equal(full.network_labels, full.logits[0].argmax(axis=0))


def test_segment_size_option() -> None:
    session = espnetv2.Session(espnetv2.Model.load(checkpoint("espnetv2_s_0.5_pascal_384x384.pth")))
    result = espnetv2.segment(session, make_photo(120, 160), size=(128, 96))
    assert (result.network_width, result.network_height) == (128, 96)
    assert result.labels.shape == (120, 160)
    with pytest.raises(espnetv2.Error, match="16"):
        espnetv2.segment(session, make_photo(120, 160), size=(100, 96))


def test_detect_matches_the_cli(tmp_path) -> None:
    model_path, image_path = checkpoint("det_ssd300_coco_s2.0_random.pth"), photo_path("sample6.jpg")
    session = espnetv2.Session(espnetv2.Model.load(model_path))
    rgb = espnetv2.decode_image(image_path)
    ours = espnetv2.detect(session, rgb)
    theirs = run_cli("detect", model_path, image_path, "-o", str(tmp_path))[0]
    assert len(ours) == len(theirs["detections"]) > 0
    for d, t in zip(ours, theirs["detections"]):
        assert (d.label, d.name) == (t["label"], t["name"])
        np.testing.assert_allclose([d.score], [t["score"]], atol=1e-6)
        np.testing.assert_allclose([d.x1, d.y1, d.x2, d.y2], [t["x1"], t["y1"], t["x2"], t["y2"]],
                                   atol=1e-3)
    drawn = espnetv2.draw_detections(rgb, ours)
    np.testing.assert_array_equal(drawn, espnetv2.decode_image(theirs["detections_png"]))
    assert not np.array_equal(drawn, rgb)
    # Thresholds and limits.
    assert len(espnetv2.detect(session, rgb, score_threshold=0.9)) < len(ours)
    assert len(espnetv2.detect(session, rgb, max_detections=3)) == 3
    # Results are plain objects: they pickle (e.g. back from a process-pool worker).
    assert pickle.loads(pickle.dumps(ours)) == ours


def test_any_strides_are_accepted_for_photos() -> None:
    session = espnetv2.Session(espnetv2.Model.load(checkpoint("cls_s0.5_random_legacy.pth")))
    photo = make_photo(130, 170)
    flipped = photo[::-1, :, :]  # negative strides
    wide = np.zeros((130, 170, 4), np.uint8)
    wide[:, :, :3] = photo  # a view with a pixel stride of 4
    assert espnetv2.classify(session, flipped) == espnetv2.classify(
        session, np.ascontiguousarray(flipped)
    )
    assert espnetv2.classify(session, wide[:, :, :3]) == espnetv2.classify(session, photo)
    assert espnetv2.classify(session, np.asfortranarray(photo)) == espnetv2.classify(
        session, photo
    )


def test_write_png_round_trip(tmp_path) -> None:
    rgb = make_photo(31, 47)
    espnetv2.write_png(tmp_path / "rgb.png", rgb)
    np.testing.assert_array_equal(espnetv2.decode_image(tmp_path / "rgb.png"), rgb)
    grey = rgb[:, :, 1].copy()
    espnetv2.write_png(str(tmp_path / "grey.png"), grey)
    np.testing.assert_array_equal(
        espnetv2.decode_image(tmp_path / "grey.png"), np.repeat(grey[:, :, None], 3, axis=2)
    )


def test_overlay_blends_as_pil() -> None:
    a, b = make_photo(20, 30), 255 - make_photo(20, 30)
    np.testing.assert_array_equal(espnetv2.overlay(a, b, 0.0), a)
    np.testing.assert_array_equal(espnetv2.overlay(a, b, 1.0), b)
    expected = np.trunc(a + np.float32(0.7) * (b.astype(np.float32) - a)).astype(np.uint8)
    np.testing.assert_array_equal(espnetv2.overlay(a, b, 0.7), expected)
