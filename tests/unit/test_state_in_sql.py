"""The index's state filter in SQL picks exactly the campaigns whose Python state matches."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from crowdfund.state import CLAIM_WINDOW, State, state_at
from crowdfund_api.index import queries, schema
from crowdfund_api.index.store import open_index, write_chunk
from crowdfund_api.index.types import CampaignFilter, Tip

# Starts and deadlines placed around every `now` below: before, at and after each, and
# deadlines whose claim window closes before, at and after the last three.
NOWS = (1_000, 1_001, 1_999, 2_000, 2_001, 1_999 + CLAIM_WINDOW, 2_000 + CLAIM_WINDOW, 2_001 + CLAIM_WINDOW)
TIMES = (999, 1_000, 1_001, 1_999, 2_000, 2_001, 2_002)


def _rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    flags = itertools.product((False, True), repeat=3)
    for (claimed, cancelled, reached), starts_at, deadline in itertools.product(flags, TIMES, TIMES):
        if deadline <= starts_at:
            continue
        rows.append(
            {
                "id": len(rows) + 1,
                "creator": "0x" + "aa" * 20,
                "token": "0x" + "00" * 20,
                "goal": "100",
                "cap": "0",
                "starts_at": starts_at,
                "deadline": deadline,
                "metadata_uri": "",
                "created_block": 1,
                "created_transaction": "0x" + "11" * 32,
                "pledged": "100" if reached else "0",
                "goal_reached": reached,
                "backer_count": 0,
                "claimed": claimed,
                "cancelled": cancelled,
            }
        )
    return rows


ROWS = _rows()


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path: Path = tmp_path_factory.mktemp("index") / "i.sqlite"
    engine: Engine = schema.connect(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(insert(schema.campaigns), ROWS)
    return engine


@pytest.mark.parametrize("now", NOWS)
def test_sql_and_python_put_every_campaign_in_the_same_single_state(engine: Engine, now: int) -> None:
    seen: list[int] = []
    with engine.connect() as conn:
        for state in State:
            in_sql = set(conn.scalars(select(schema.campaigns.c.id).where(queries.state_clause(state, now))))
            in_python = {row["id"] for row in ROWS if state_at(row, now) is state}
            assert in_sql == in_python, state
            seen.extend(in_sql)
    assert sorted(seen) == [row["id"] for row in ROWS]  # each in exactly one state


def test_the_rows_cover_every_state_so_none_is_checked_vacuously() -> None:
    assert {state_at(row, now) for row in ROWS for now in NOWS} == set(State)


@pytest.mark.parametrize(("offset", "state"), [(-1, State.SUCCEEDED), (0, State.EXPIRED), (1, State.EXPIRED)])
def test_sql_closes_the_claim_window_on_the_same_second_as_python(
    engine: Engine, offset: int, state: State
) -> None:
    succeeded = next(r for r in ROWS if r["goal_reached"] and not (r["claimed"] or r["cancelled"]))
    now = succeeded["deadline"] + CLAIM_WINDOW + offset
    assert state_at(succeeded, now) is state
    with engine.connect() as conn:
        ids = set(conn.scalars(select(schema.campaigns.c.id).where(queries.state_clause(state, now))))
    assert succeeded["id"] in ids


def test_a_page_of_campaigns_filtered_by_state_holds_only_that_state(tmp_path: Path) -> None:
    engine = schema.connect(f"sqlite:///{tmp_path}/i.sqlite")
    open_index(engine, chain_id=1, escrow="0x" + "ee" * 20, start_block=1)
    write_chunk(engine, [], {}, Tip(5, "0x" + "55" * 32, 2_000))
    with engine.begin() as conn:
        conn.execute(insert(schema.campaigns), ROWS)

    tip, page = queries.campaigns_page(
        engine, CampaignFilter(state=State.SUCCEEDED), before=None, limit=1_000
    )

    assert tip.timestamp == 2_000
    expected = sorted((r["id"] for r in ROWS if state_at(r, 2_000) is State.SUCCEEDED), reverse=True)
    assert [c.id for c in page] == expected
    assert expected and all(c.state(tip.timestamp) is State.SUCCEEDED for c in page)
