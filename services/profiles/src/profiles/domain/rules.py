"""Rules an enterprise record must satisfy beyond the format of each field."""

from __future__ import annotations

from supportmatch_core.errors import RuleBroken
from supportmatch_reference import uscc as uscc_codes
from supportmatch_reference.regions import Province, province_of_division


def check_province(uscc: str, stated: Province) -> bool:
    """Whether the USCC's division code agrees with `stated`; raises when they contradict.

    Returns False when the code's division digits name no province, so the stated province is
    taken as given and recorded as not cross-checked (GB 32100 codes of some registrars).
    """
    from_code = province_of_division(uscc_codes.division_code(uscc))
    if from_code is None:
        return False
    if from_code.code != stated.code:
        raise RuleBroken(
            "province",
            f"the USCC was registered in {from_code.name_zh} ({from_code.code}), "
            f"not {stated.name_zh} ({stated.code})",
            zh=f"该统一社会信用代码登记于{from_code.name_zh}（{from_code.code}），"
            f"而非{stated.name_zh}（{stated.code}）",
        )
    return True
