"""The Business ID (Y-tunnus) check digit: weights 7,9,10,5,8,4,2, modulus 11."""

import pytest

from app.organisations import business_id as bid


@pytest.mark.parametrize("value", ["0737546-2", "1572860-0", "2617416-4"])
def test_real_business_ids_are_valid(value):
    assert bid.is_valid(value)


@pytest.mark.parametrize("value", ["0737546-3", "1572860-1", "2617416-5", "2617416-0"])
def test_a_wrong_check_digit_is_refused(value):
    assert not bid.is_valid(value)


def test_check_digit_is_zero_when_the_remainder_is_zero():
    assert bid.check_digit("1572860") == 0


def test_a_body_with_remainder_one_has_no_valid_check_digit():
    # 6 × 2 = 12, 12 mod 11 = 1: no check digit makes this body valid.
    assert bid.check_digit("0000006") is None
    for digit in range(10):
        assert not bid.is_valid(f"0000006-{digit}")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "07375462",  # no hyphen
        "0737546-22",
        "073754-62",
        "0737546–2",  # en dash
        "0737546_2",
        "abcdefg-h",
        "12345678-9",
        "０７３７５４６-２",  # full-width digits
        "0737546-２",
        "٠٧٣٧٥٤٦-٢",  # Arabic-Indic digits
        "0737546-2\x00",
        "0737546-2; DROP TABLE organisation",
    ],
)
def test_malformed_values_are_refused(value):
    assert not bid.is_valid(value)


def test_spaces_and_a_missing_leading_zero_are_normalised():
    assert bid.normalise(" 0737546-2 ") == "0737546-2"
    assert bid.normalise("737546-2") == "0737546-2"
    assert bid.is_valid("737546-2")
