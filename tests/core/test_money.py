"""Money input: Finnish formats accepted, everything absurd refused with a message."""

from decimal import Decimal

import pytest
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st

from app.core import money
from app.core.fields import parse_local_datetime

ACCEPTED = {
    "1234": 123400,
    "1234,56": 123456,
    "1234.56": 123456,
    "1 234,56": 123456,
    "1\u00a0234,56": 123456,
    "1\u202f234,5": 123450,
    "12 345 678,9": 1234567890,
    "0": 0,
    "0,05": 5,
    ",5": None,  # refused below: no leading digit
    "  1234,56 € ": 123456,
    "1234€": 123400,
    "+12": 1200,
    "007": 700,
    "999 999 999,99": 99_999_999_999,
}

REFUSED = [
    "NaN", "nan", "sNaN", "-sNaN", "Infinity", "-Infinity", "inf", "1e400", "1E5", "1e-2",
    "-1", "−1", "-0,01", "1,234.56", "1.234,56", "1,234", "12,345", "1.001", "0,001",
    "１２３", "١٢٣", "12\x003", "\x00", "abc", "12abc", "12 34", "1  234", "1_000", "0x10",
    "99999999999999999999", "1000000000", "1 000 000 000", "9" * 100_000, "1,", ".", ",",
    "€", "1 234 ,56", "12..3", "(12)",
]


@pytest.mark.parametrize("text,cents", [(k, v) for k, v in ACCEPTED.items() if v is not None])
def test_accepted_formats(text, cents):
    assert money.parse_money(text) == cents


@pytest.mark.parametrize("text", REFUSED + [",5"])
def test_refused_with_a_message(app, text):
    with app.test_request_context():
        with pytest.raises(money.ParseError) as error:
            money.parse_money(text)
        assert str(error.value.message)


def test_empty_is_none():
    assert money.parse_money("") is None
    assert money.parse_money("   ") is None
    assert money.parse_money(None) is None


def test_non_string_is_refused(app):
    with app.test_request_context(), pytest.raises(money.ParseError):
        money.parse_scaled(12.5)


@given(st.integers(min_value=0, max_value=money.MAX_CENTS))
def test_round_trip_of_display_and_input(cents):
    assert money.parse_money(money.input_money(cents)) == cents
    with force_locale("fi"):  # what is shown in Finnish can be typed back
        assert money.parse_money(money.format_money(cents)) == cents


@given(st.text(max_size=60))
def test_arbitrary_text_never_raises_anything_but_parse_error(text):
    try:
        result = money.parse_money(text)
    except money.ParseError:
        return
    assert result is None or (isinstance(result, int) and 0 <= result <= money.MAX_CENTS)


def test_format_money_finnish(app):
    with app.test_request_context(), force_locale("fi"):
        assert money.format_money(1234567) == "12\u00a0345,67\u00a0€"
        assert money.format_money(5) == "0,05\u00a0€"
        assert money.format_money(0) == "0,00\u00a0€"


def test_half_up_div_is_exact():
    assert money.half_up_div(5, 10) == 1
    assert money.half_up_div(4, 10) == 0
    assert money.half_up_div(15, 10) == 2
    assert money.half_up_div(25, 10) == 3
    assert money.half_up_div(-5, 10) == -1
    big = 10**40 + 5
    assert money.half_up_div(big, 10) == 10**39 + 1


def test_scaled_quantities():
    assert money.parse_scaled("6,5") == 650
    assert money.parse_scaled("37.25") == 3725
    assert money.input_scaled(650) == "6,5"
    assert money.input_scaled(3725) == "37,25"
    assert money.input_scaled(1200) == "12"
    with pytest.raises(money.ParseError):
        money.parse_scaled("1,5", places=0)


@pytest.mark.parametrize("text,expected", [
    ("2026-03-01T12:00", "2026-03-01 10:00"),  # winter: UTC+2
    ("2026-07-01T12:00", "2026-07-01 09:00"),  # summer: UTC+3
    ("1.3.2026 klo 12.00", "2026-03-01 10:00"),
    ("1.3.2026", "2026-02-28 22:00"),
])
def test_local_times_are_stored_in_utc(text, expected):
    value = parse_local_datetime(text)
    assert value.utcoffset().total_seconds() == 0
    assert value.strftime("%Y-%m-%d %H:%M") == expected


@pytest.mark.parametrize("text", ["0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00",
                                  "2026-13-01T10:00", "2026-01-01T25:00", "yesterday",
                                  "２０２６-01-01T10:00", "2026-01-01T10:00\x00"])
def test_bad_times_get_a_message(app, text):
    with app.test_request_context(), pytest.raises(money.ParseError):
        parse_local_datetime(text)


def test_no_float_in_decimal_helpers():
    assert isinstance(money.cents_to_decimal(123), Decimal)
    assert money.round_cents(Decimal("12.5")) == 13
