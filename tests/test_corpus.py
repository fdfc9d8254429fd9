"""The bad-input corpora stay large, and every case has its own id.

pytest quietly suffixes repeated parametrize ids (``x0``, ``x1``), so a
copy-pasted case would run under a confusing name instead of failing; and
a corpus that shrinks by accident loses coverage silently. Both are cheap
to check.
"""

from __future__ import annotations

import re
from collections import Counter

from .test_bad_input import CONFIG_CASES, ENTRY_CASES
from .test_check import HOSTILE, OUTPUT_CASES
from .test_robustness import REGRESSIONS

MIN_ENTRY_CASES = 30
MIN_CONFIG_CASES = 8


def all_case_ids() -> list[str]:
    return [
        *(case[0] for case in ENTRY_CASES),
        *(case[0] for case in CONFIG_CASES),
        *(case[0] for case in REGRESSIONS),
        *(case[0] for case in OUTPUT_CASES),
        *HOSTILE,
    ]


def test_corpus_is_large_enough() -> None:
    assert len(ENTRY_CASES) >= MIN_ENTRY_CASES
    assert len(CONFIG_CASES) >= MIN_CONFIG_CASES


def test_case_ids_are_unique_across_corpora() -> None:
    repeated = [case for case, count in Counter(all_case_ids()).items() if count > 1]
    assert repeated == []


def test_case_ids_are_readable_slugs() -> None:
    for case in all_case_ids():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", case), case


def test_expected_messages_name_file_line_and_severity() -> None:
    for case, _, expected in ENTRY_CASES:
        assert re.match(r"entries/bad\.yaml:\d+: error: ", expected), case
    for case, _, expected in CONFIG_CASES:
        assert re.match(r"feedpub\.yaml:\d+: error: ", expected), case
    for case, _, expected in REGRESSIONS:
        assert expected == "" or re.match(r"entries/\w+\.yaml:\d+: error: ", expected), case


def test_entry_cases_are_distinct_inputs() -> None:
    contents = Counter(case[1] for case in ENTRY_CASES)
    assert [c for c, n in contents.items() if n > 1] == []
