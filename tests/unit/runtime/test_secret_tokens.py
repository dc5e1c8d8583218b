"""Random tokens and their stored hash (services/runtime/secret_tokens.py)."""
from services.runtime import secret_tokens


def test_a_secret_is_256_random_bits_url_safe():
    one, two = secret_tokens.new_secret(), secret_tokens.new_secret()
    assert one != two and len(one) == 43
    assert set(one) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_token_is_stored_as_its_sha256_hex():
    assert secret_tokens.digest("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
