"""The kinds a campaign's history holds are written twice, in the index's query and in the
answer's schema (a Literal the OpenAPI document lists); they must be the same."""

from typing import get_args

from crowdfund_api.http import schemas
from crowdfund_api.index import queries


def test_the_history_query_and_its_answer_name_the_same_kinds() -> None:
    assert get_args(schemas.HistoryKind) == queries.HISTORY_KINDS
    assert set(queries.HISTORY_KINDS) <= set(get_args(schemas.EventKind))
