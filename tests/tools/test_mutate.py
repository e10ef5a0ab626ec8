"""The mutation campaign's mutants: each kind found where it belongs, each a change of
one place that still reads as the source around it, and none in comments or types."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

from support.chain import ROOT

_spec = importlib.util.spec_from_file_location("mutate", ROOT / "tools" / "mutate.py")
assert _spec is not None and _spec.loader is not None
mutate = importlib.util.module_from_spec(_spec)
sys.modules["mutate"] = mutate
_spec.loader.exec_module(mutate)

SOURCE = """\
contract Example {
    uint256 internal constant WINDOW = 180 days;
    uint256 private constant _MASK = (1 << 104) - 1;
    mapping(uint256 => uint256) private _pledges;

    /// @notice Takes back what `msg.sender` pledged when now < deadline (a comment).
    function refund(uint256 id, uint256 deadline) external {
        if (block.timestamp < deadline) revert NotEnded(id, deadline);
        uint256 mine = _pledges[id];
        _pledges[id] = 0;
        emit Refunded(id, msg.sender, mine);
        _pay(msg.sender, mine);
    }

    function _emit(uint256 id, address who) private {
        assembly ("memory-safe") {
            log3(0x00, 0x20, topic, id, who)
        }
    }
}
"""


def by_kind() -> dict[str, list[object]]:
    found: dict[str, list[object]] = {}
    for mutant in mutate.mutants_of("Example", SOURCE):
        found.setdefault(mutant.kind, []).append(mutant)
    return found


def test_each_kind_is_found_where_it_belongs() -> None:
    found = by_kind()
    boundary = [m.after.strip() for m in found["boundary"]]
    # The guard's comparison, not the comment's nor the mapping's arrow.
    assert boundary == ["if (block.timestamp <= deadline) revert NotEnded(id, deadline);"]
    assert [m.after.strip() for m in found["check"]] == ["if (false) revert NotEnded(id, deadline);"]
    constants = sorted(m.after.strip() for m in found["constant"])
    assert constants == [
        "uint256 internal constant WINDOW = 179 days;",
        "uint256 private constant _MASK = (1 << 103) - 1;",
    ]
    assert "emit Refunded(msg.sender, id, mine);" in [m.after.strip() for m in found["event"]]
    assert "log3(0x00, 0x20, topic, who, id)" in [m.after.strip() for m in found["event"]]
    assert sorted(m.after.strip() for m in found["assembly"]) == [
        "log3(0x00, 0x00, topic, id, who)",
        "log3(0x20, 0x20, topic, id, who)",
    ]


def test_an_effect_moves_after_the_payment_and_nothing_else_changes() -> None:
    [effect] = by_kind()["effect"]
    assert effect.function == "refund"
    mutated = effect.apply(SOURCE)
    lines = mutated.split("\n")
    assert lines.index("        _pay(msg.sender, mine);") < lines.index("        _pledges[id] = 0;")
    assert sorted(mutated.split("\n")) == sorted(SOURCE.split("\n"))


def test_every_mutant_changes_one_place_and_ids_are_unique() -> None:
    mutants = list(mutate.mutants_of("Example", SOURCE))
    assert len({m.id for m in mutants}) == len(mutants)
    for mutant in mutants:
        mutated = mutant.apply(SOURCE)
        assert mutated != SOURCE and mutated.count("\n") == SOURCE.count("\n"), mutant.id


def test_the_escrow_yields_mutants_of_every_kind() -> None:
    source = (ROOT / "contracts" / "CrowdfundEscrow.sol").read_text()
    kinds = {m.kind for m in mutate.mutants_of("CrowdfundEscrow", source)}
    assert kinds == set(mutate.KINDS)


def test_an_outcome_is_kept_while_what_judged_it_is_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "results.json"
    escrow = (ROOT / "contracts" / "CrowdfundEscrow.sol").read_text()
    killed, survived = list(mutate.mutants_of("CrowdfundEscrow", escrow))[:2]
    results = mutate.Results(store)
    results.keep(mutate.Outcome(killed, "killed", 30.0, "tests/contracts/test_x.py::test_y"))
    results.keep(mutate.Outcome(survived, "survived", 300.0))

    again = mutate.Results(store)  # a later run reads them back
    assert again.known(killed) == mutate.Outcome(killed, "killed", 30.0, "tests/contracts/test_x.py::test_y")
    assert again.known(survived) == mutate.Outcome(survived, "survived", 300.0, "")

    # The tests changed: a survivor is tested again, a killed mutant stays killed.
    again.tests = "another"
    assert again.known(survived) is None
    assert again.known(killed) is not None
    # The contract changed, or the mutant reads otherwise: nothing is taken from before.
    again.sources["CrowdfundEscrow"] = "another"
    assert again.known(killed) is None
    assert mutate.Results(store).known(dataclasses.replace(killed, after=killed.after + " ")) is None


def test_a_vault_mutant_runs_the_vault_tests_and_an_escrow_mutant_its_own_first() -> None:
    vault = next(mutate.mutants_of("MilestoneVault", (ROOT / "contracts" / "MilestoneVault.sol").read_text()))
    escrow = next(
        mutate.mutants_of("CrowdfundEscrow", (ROOT / "contracts" / "CrowdfundEscrow.sol").read_text())
    )
    vault_files, escrow_files = mutate._test_files(vault), mutate._test_files(escrow)
    assert vault_files and all(Path(f).name.startswith("test_vault_") for f in vault_files)
    assert set(vault_files) < set(escrow_files)
    assert not Path(escrow_files[0]).name.startswith("test_vault_")


def test_a_mutant_is_judged_by_the_tests_that_ran() -> None:
    setup = (
        "MilestoneVault.createCampaign confirmed (Index out of range)   Block: 3\n"
        "=========================== short test summary info ============================\n"
        "ERROR tests/contracts/test_vault_views.py::test_a_campaign_through_its_life\n"
        "=============================== 1 error in 2.06s ===============================\n"
    )
    assert mutate.judge(1, setup) == (
        "killed",
        "tests/contracts/test_vault_views.py::test_a_campaign_through_its_life (in its setup)",
    )
    failed = "FAILED tests/contracts/test_claim.py::test_claim[1] - AssertionError\n1 failed in 9s\n"
    assert mutate.judge(1, failed) == ("killed", "tests/contracts/test_claim.py::test_claim[1]")
    assert mutate.judge(0, "12 passed in 30s\n") == ("survived", "")
    compile_error = (
        "Compiling contracts...\nCompilerError: solc returned the following errors:\n\n"
        "ParserError: Invalid version pragma.\n --> contracts/MilestoneVault.sol:2:1:\n\n"
        "ERROR: Unable to load project\n"
    )
    assert mutate.judge(4, compile_error) == ("stillborn", "ParserError: Invalid version pragma.")


def test_a_mutant_names_the_function_it_lies_in_not_a_variable_like_a_keyword() -> None:
    source = """\
contract Example {
    function _collect(uint256 before) private returns (uint256 received) {
        received = address(this).balance - before;
        if (received >= before) revert Short(received);
    }
}
"""
    mutants = list(mutate.mutants_of("Example", source))
    assert mutants and {m.function for m in mutants} == {"_collect"}
