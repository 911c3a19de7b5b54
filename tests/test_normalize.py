"""Normalisation of emails, phones, dates and booleans."""
from __future__ import annotations

from datetime import datetime

import phonenumbers
import pytest
from email_validator import validate_email
from hypothesis import HealthCheck, given, settings, strategies as st

from core import normalize
from core.errors import CoreError


@pytest.mark.parametrize("raw, expected", [(" Anna@Example.COM ", "anna@example.com"), ("a+b@example.com", "a+b@example.com")])
def test_email(raw, expected):
    assert normalize.email(raw) == expected


@pytest.mark.parametrize("raw", ["", "plain", "a@", "@b.c", "a@b", "a b@example.com", "a..b@example.com"])
def test_bad_email(raw):
    with pytest.raises(CoreError):
        normalize.email(raw)


@pytest.mark.parametrize("raw, expected", [("+79261232323", "+79261232323"), ("79261232323", "+79261232323"),
                                           (" 79261232323", "+79261232323"), ("+44 20 7946 0958", "+442079460958"),
                                           ("380942583691", "+380942583691")])
def test_phone(raw, expected):
    assert normalize.phone(raw) == expected


@pytest.mark.parametrize("raw", ["12", "abc", "+1", ""])
def test_bad_phone(raw):
    with pytest.raises(CoreError):
        normalize.phone(raw)


def test_national_phone_with_default_region():
    assert normalize.phone("89091234567", default_region="RU") == "+79091234567"


@pytest.mark.parametrize("raw", ["2024-01-02 03:04:05", "2024-01-02T03:04:05Z", "2024-01-02T06:04:05+03:00"])
def test_timestamps_are_utc(raw):
    assert normalize.timestamp(raw) == datetime(2024, 1, 2, 3, 4, 5)


@pytest.mark.parametrize("raw", ["02.01.2024", "02-01-2024", "2024.01.02", "02/01/2024", "2024-01-02"])
def test_date_formats(raw):
    assert normalize.timestamp(raw) == datetime(2024, 1, 2)


def test_booleans():
    assert [normalize.boolean(v) for v in ("1", "true", "Yes", "0", "False", "", 1, True)] == [
        True, True, True, False, False, False, True, True]
    with pytest.raises(CoreError):
        normalize.boolean("maybe")


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(st.from_regex(normalize._PLAIN_EMAIL, fullmatch=True))
def test_the_fast_email_path_never_accepts_what_the_library_refuses(address):
    if normalize._plain_email(address):
        validate_email(address, check_deliverability=False)


@settings(max_examples=600)
@given(st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True))
def test_the_fast_phone_path_agrees_with_the_full_parser(text):
    fast = normalize._plain_e164(text)
    try:
        number = phonenumbers.parse(text, None)
        slow = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) \
            if phonenumbers.is_possible_number(number) else None
    except phonenumbers.NumberParseException:
        slow = None
    if fast is not None:
        assert fast == slow


def _general_timestamp(text: str):
    """What the format loop alone says about a date text (the reference for the fast path)."""
    for fmt in normalize._DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    return None


@settings(max_examples=300)
@given(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99), st.booleans())
def test_the_fast_date_path_agrees_with_the_format_loop(year, month, day, iso):
    text = f"{year:04d}-{month:02d}-{day:02d}" if iso else f"{day:02d}/{month:02d}/{year:04d}"
    expected = _general_timestamp(text)
    try:
        got = normalize.timestamp(text)
    except CoreError:
        got = None
    assert got == expected
