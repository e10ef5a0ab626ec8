"""What the gateway keeps of the documents links name: one fetch per link however often it
is shown, a bounded number of fetches and of bytes, failures believed only for a while, and
a generation that moves on exactly when what a link shows changes."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

from support.loop import run

from crowdfund.content import Content, ContentMismatch, accepted, cid_of
from crowdfund_api.services.content import ContentNotFound
from crowdfund_api.services.documents import Documents


class Source:
    """Content by CID as a test sets it; anything else is not found. Counts what it was asked."""

    def __init__(self) -> None:
        self.held: dict[str, bytes] = {}
        self.lying: set[str] = set()
        self.asked: Counter[str] = Counter()
        self.gate = asyncio.Event()
        self.gate.set()

    def add(self, document: dict[str, object]) -> str:
        data = json.dumps(document).encode()
        self.held[cid_of(data)] = data
        return f"ipfs://{cid_of(data)}"

    async def fetch(self, cid: str) -> Content:
        self.asked[cid] += 1
        await self.gate.wait()
        if cid in self.lying:
            raise ContentMismatch(cid, b"other bytes")
        if cid not in self.held:
            raise ContentNotFound(f"{cid} is nowhere")
        return accepted(self.held[cid])


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0.01)


def test_a_link_shown_many_times_is_fetched_once_and_then_known() -> None:
    async def scenario() -> None:
        source, documents = Source(), Documents()
        uri = source.add({"title": "Garden"})
        source.gate.clear()
        shown = [documents.campaign(uri, source.fetch).status for _ in range(50)]
        assert set(shown) == {"unavailable"}
        source.gate.set()
        await settle()
        found = documents.campaign(uri, source.fetch)
        assert found.status == "verified" and found.document is not None and found.document.title == "Garden"
        assert sum(source.asked.values()) == 1
        await documents.close()

    run(scenario)


def test_links_that_cannot_be_checked_are_unverified_and_never_fetched() -> None:
    async def scenario() -> None:
        source, documents = Source(), Documents()
        for uri in ("https://garden.example/c.json", "data:application/json,{}", "ipfs://Qm", ""):
            assert documents.campaign(uri, source.fetch).status == "unverified"
        await settle()
        assert not source.asked and documents.generation == 0

    run(scenario)


def test_the_generation_moves_on_only_when_what_a_link_shows_changes() -> None:
    async def scenario() -> None:
        source, documents = Source(), Documents()
        missing = f"ipfs://{cid_of(b'nowhere')}"
        documents.campaign(missing, source.fetch)
        await settle()
        assert documents.generation == 0  # unavailable before, unavailable after
        documents.campaign(source.add({"title": "Garden"}), source.fetch)
        await settle()
        assert documents.generation == 1
        documents.campaign(source.add({"title": "Garden", "goal": 5}), source.fetch)
        await settle()
        assert documents.generation == 2  # invalid: a change too
        await documents.close()

    run(scenario)


def test_a_failure_is_believed_for_a_while_then_asked_again_by_itself() -> None:
    async def scenario() -> None:
        now = [0.0]
        source, documents = Source(), Documents(clock=lambda: now[0])
        data = json.dumps({"title": "Later"}).encode()
        uri = f"ipfs://{cid_of(data)}"
        documents.campaign(uri, source.fetch)
        await settle()
        now[0] = 1.0  # within the first pause: shown as unavailable, not asked again
        assert documents.campaign(uri, source.fetch).status == "unavailable"
        await settle()
        assert source.asked[cid_of(data)] == 1
        source.held[cid_of(data)] = data
        now[0] = 2.5  # past it: the next answer showing the link asks again
        documents.campaign(uri, source.fetch)
        await settle()
        assert documents.campaign(uri, source.fetch).status == "verified"
        assert source.asked[cid_of(data)] == 2
        await documents.close()

    run(scenario)


def test_a_lying_source_is_invalid_for_now_not_for_ever() -> None:
    async def scenario() -> None:
        now = [0.0]
        source, documents = Source(), Documents(clock=lambda: now[0])
        uri = source.add({"title": "The real one"})
        cid = uri.removeprefix("ipfs://")
        source.lying.add(cid)
        documents.campaign(uri, source.fetch)
        await settle()
        assert documents.campaign(uri, source.fetch).status == "invalid"
        source.lying.clear()
        now[0] = 10.0
        documents.campaign(uri, source.fetch)
        await settle()
        assert documents.campaign(uri, source.fetch).status == "verified"
        await documents.close()

    run(scenario)


def test_published_content_is_no_longer_believed_missing() -> None:
    async def scenario() -> None:
        source, documents = Source(), Documents()
        data = json.dumps({"title": "Published"}).encode()
        uri = f"ipfs://{cid_of(data)}"
        documents.campaign(uri, source.fetch)
        await settle()
        generation = documents.generation
        source.held[cid_of(data)] = data
        documents.arrived(cid_of(data))
        assert documents.generation == generation + 1  # cached answers give way at once
        documents.campaign(uri, source.fetch)
        await settle()
        assert documents.campaign(uri, source.fetch).status == "verified"
        await documents.close()

    run(scenario)


def test_fetches_waiting_are_bounded() -> None:
    async def scenario() -> None:
        source, documents = Source(), Documents(queued=3)
        source.gate.clear()
        uris = [source.add({"title": f"Campaign {n}"}) for n in range(10)]
        for uri in uris:
            documents.campaign(uri, source.fetch)
        await settle()
        assert sum(source.asked.values()) == 3
        source.gate.set()
        await settle()
        # The others are fetched when answers show them again, three at a time.
        for _ in range(3):
            for uri in uris:
                documents.campaign(uri, source.fetch)
            await settle()
        assert all(documents.campaign(uri, source.fetch).status == "verified" for uri in uris)
        await documents.close()

    run(scenario)


def test_documents_kept_stay_within_their_bytes_the_least_recently_shown_going_first() -> None:
    async def scenario() -> None:
        source, documents = Source(), Documents(max_bytes=64 * 2**10)
        story = "s" * 10_000
        uris = [source.add({"title": f"Campaign {n}", "story": story}) for n in range(20)]
        for uri in uris:
            documents.campaign(uri, source.fetch)
            await settle()
        assert 0 < documents.bytes <= documents.max_bytes
        # The newest are kept; the first were dropped and are simply fetched again.
        assert documents.campaign(uris[-1], source.fetch).status == "verified"
        assert documents.campaign(uris[0], source.fetch).status == "unavailable"
        await documents.close()

    run(scenario)
