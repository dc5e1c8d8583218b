"""The event streams' retention settings (services/runtime/config.py, streams.py)."""
import pytest

from services.runtime import config, streams


def test_streams_keep_a_week_and_five_gigabytes_unless_told_otherwise(tmp_path):
    settings = config.load({"DATA_DIR": str(tmp_path)}, generate=False)
    assert (settings.event_stream_max_age, settings.event_stream_max_bytes) == ("7D", 5_000_000_000)
    told = config.load({"DATA_DIR": str(tmp_path), "EVENT_STREAM_MAX_AGE": "36h",
                        "EVENT_STREAM_MAX_BYTES": "200000000"}, generate=False)
    assert (told.event_stream_max_age, told.event_stream_max_bytes) == ("36h", 200_000_000)


@pytest.mark.parametrize("age", ["7 days", "7d", "0D", "D", "-1h", "1.5h"])
def test_an_age_the_broker_would_refuse_is_refused_at_start(tmp_path, age):
    with pytest.raises(ValueError, match="EVENT_STREAM_MAX_AGE"):
        config.load({"DATA_DIR": str(tmp_path), "EVENT_STREAM_MAX_AGE": age}, generate=False)


@pytest.mark.parametrize("size", ["5GB", "-1", "0", "999999", "1e9"])
def test_a_size_that_is_no_number_of_bytes_or_next_to_nothing_is_refused_at_start(tmp_path, size):
    with pytest.raises(ValueError, match="EVENT_STREAM_MAX_BYTES"):
        config.load({"DATA_DIR": str(tmp_path), "EVENT_STREAM_MAX_BYTES": size}, generate=False)


def test_a_small_stream_has_segments_small_enough_for_its_size_limit_to_bite():
    # retention drops whole closed segments: one segment as big as the limit would never go
    assert streams.arguments("7D", 100_000_000)["x-stream-max-segment-size-bytes"] == 10_000_000
    assert streams.arguments("7D", 50_000_000_000)["x-stream-max-segment-size-bytes"] == 500_000_000
