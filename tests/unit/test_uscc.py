"""The unified social credit code (GB 32100-2015): normalisation, check character, generation."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supportmatch_reference.uscc import (
    ALPHABET,
    InvalidUSCC,
    check_character,
    division_code,
    generate,
    normalize,
)

# FACTS.md section 8, written out independently of the module under test.
FACTS_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FACTS_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
VALID = ["914403001922038216", "91330100799655058B", "91110000802100433B", "91440300708461136T"]


def expected_check(first17: str) -> str:
    total = sum(FACTS_ALPHABET.index(c) * w for c, w in zip(first17, FACTS_WEIGHTS, strict=True))
    check = 31 - total % 31
    return FACTS_ALPHABET[0 if check == 31 else check]


def test_alphabet_is_the_one_of_the_standard() -> None:
    assert ALPHABET == FACTS_ALPHABET
    assert len(ALPHABET) == 31
    assert not set("IOSVZ") & set(ALPHABET)


@pytest.mark.parametrize("code", VALID)
def test_published_examples_are_valid(code: str) -> None:
    assert normalize(code) == code
    assert check_character(code[:17]) == code[17]


def test_wrong_check_character_names_the_expected_one() -> None:
    with pytest.raises(InvalidUSCC, match=r"check character is 7, the code's content requires 6"):
        normalize("914403001922038217")


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("91330100799655058b", "91330100799655058B"),
        ("91440300708461136t", "91440300708461136T"),
        ("  91110000802100433b\n", "91110000802100433B"),
    ],
)
def test_lower_case_and_surrounding_blanks_are_normalized(raw: str, normalized: str) -> None:
    assert normalize(raw) == normalized


@pytest.mark.parametrize(
    "code", ["", "91440300192203821", "9144030019220382166", "914403001922038216" * 2]
)
def test_wrong_length_fails(code: str) -> None:
    with pytest.raises(InvalidUSCC, match=rf"must have 18 characters, has {len(code)}"):
        normalize(code)


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_forbidden_letters_fail(letter: str) -> None:
    code = "914403001922038216"
    bad = code[:10] + letter + code[11:]
    with pytest.raises(InvalidUSCC, match=rf"characters not allowed .*: {letter}$"):
        normalize(bad)


def test_forbidden_letters_are_listed_once_and_sorted() -> None:
    with pytest.raises(InvalidUSCC, match=r": OSZ$"):
        normalize("9144030019220Z8SOZ")


@pytest.mark.parametrize("position", range(2, 8))
def test_non_digit_division_code_fails(position: int) -> None:
    body = "91440300192203821"
    body = body[:position] + "A" + body[position + 1 :]
    code = body + check_character(body)  # a correct check character: only the division is wrong
    with pytest.raises(InvalidUSCC, match="6-digit administrative division code"):
        normalize(code)


def test_generated_codes_round_trip() -> None:
    rng = random.Random(20221201)
    seen = set()
    for _ in range(10_000):
        division = f"{rng.randrange(1_000_000):06d}"
        authority = rng.choice(ALPHABET)
        kind = rng.choice(ALPHABET)
        code = generate(rng, division=division, authority=authority, kind=kind)
        assert len(code) == 18
        assert normalize(code) == code
        assert normalize(code.lower()) == code
        assert division_code(code) == division
        assert code[:2] == authority + kind
        seen.add(code)
    assert len(seen) > 9_990  # random organisation codes, not a constant


def test_generate_is_reproducible_with_a_seeded_rng() -> None:
    first = generate(random.Random(7), division="440300")
    again = generate(random.Random(7), division="440300")
    assert first == again
    assert first.startswith("91440300")


def test_check_character_of_zero_sum_is_zero() -> None:
    # 31 -> 0: a body whose weighted sum is a multiple of 31 has the check character 0.
    assert check_character("0" * 17) == "0"
    assert expected_check("0" * 17) == "0"


def test_weights_are_powers_of_three_mod_31() -> None:
    assert tuple(pow(3, i, 31) for i in range(17)) == FACTS_WEIGHTS


@given(st.text(alphabet=FACTS_ALPHABET, min_size=17, max_size=17))
def test_check_character_agrees_with_the_formula(first17: str) -> None:
    assert check_character(first17) == expected_check(first17)


@given(
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=FACTS_ALPHABET, min_size=9, max_size=9),
    st.integers(min_value=0, max_value=17),
    st.sampled_from(FACTS_ALPHABET),
)
def test_any_single_substitution_is_detected(
    division: str, organisation: str, position: int, replacement: str
) -> None:
    body = "91" + division + organisation
    code = body + check_character(body)
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(InvalidUSCC):
        normalize(changed)
