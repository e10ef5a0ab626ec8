"""A campaign's face: its story rendered from Markdown without any HTML, its reward tiers
with places left or sold out, choosing one, and a backer's own tier or place in line."""

from __future__ import annotations

from page_kit import Demo, Visit, status_of
from playwright.sync_api import Page, expect

from crowdfund.demo import DAY, ETHER

HOSTILE = (
    "# Our plan\n\n"
    "<script>alert(1)</script>\n\n"
    "<img src=x onerror=alert(2)>\n\n"
    "[click me](javascript:alert(3)) and [also](JaVaScRiPt:alert(4)) and ![pic](https://tracker.example/p.png)\n\n"
    "&lt;b&gt;not bold&lt;/b&gt; &#60;i&#62;\n\n"
    '<a href="https://evil.example" onclick="alert(5)">raw link</a>\n\n'
    "[the plan](https://garden.example/plan)"
)


def render(page: Page, markdown: str) -> dict[str, object]:
    """The page's renderer run on `markdown`: the HTML it built, and what it holds."""
    return page.evaluate(
        """async (source) => {
          const { renderMarkdown } = await import('/static/js/markdown.js');
          const box = document.createElement('div');
          const started = performance.now();
          box.append(renderMarkdown(source));
          const elements = [...box.querySelectorAll('*')];
          return { html: box.innerHTML, text: box.textContent, ms: performance.now() - started,
                   nodes: elements.length, tags: [...new Set(elements.map((el) => el.localName))].sort(),
                   attributes: [...new Set(elements.flatMap((el) => el.getAttributeNames()))].sort(),
                   hrefs: [...box.querySelectorAll('a')].map((a) => a.href) };
        }""",
        markdown,
    )


def test_markdown_becomes_elements_and_text_only(visit: Visit) -> None:
    page = visit("/", wallet=False)
    shown = render(
        page,
        "# Title\n## Part\n### Detail\n#### Not a heading here\n\n"
        "Some *emphasis*, **strong**, `code <b>` and [a link](https://example.org/a?b=1).\n"
        "Same paragraph.\n\n"
        "- one\n- two\n\n3. third\n4. fourth\n\n> quoted *words*\n\n```\n<script>x</script>\n```\n\n"
        "snake_case_name stays, \\*escaped\\*, [http](http://example.org) stays text",
    )
    assert shown["html"] == (
        "<h2>Title</h2><h3>Part</h3><h4>Detail</h4><p>#### Not a heading here</p>"
        "<p>Some <em>emphasis</em>, <strong>strong</strong>, <code>code &lt;b&gt;</code> and "
        '<a href="https://example.org/a?b=1" rel="noopener noreferrer nofollow" target="_blank">a link</a>.\n'
        "Same paragraph.</p>"
        "<ul><li>one</li><li>two</li></ul>"
        '<ol start="3"><li>third</li><li>fourth</li></ol>'
        "<blockquote><p>quoted <em>words</em></p></blockquote>"
        "<pre><code>&lt;script&gt;x&lt;/script&gt;</code></pre>"
        "<p>snake_case_name stays, *escaped*, [http](http://example.org) stays text</p>"
    )


def test_hostile_markdown_stays_text(visit: Visit) -> None:
    page = visit("/", wallet=False)
    shown = render(page, HOSTILE)
    assert shown["tags"] == ["a", "h2", "p"]
    assert shown["attributes"] == ["href", "rel", "target"]
    assert shown["hrefs"] == ["https://garden.example/plan"]
    text = str(shown["text"])
    # What was written is what is read: tags, entities and an image's link as characters.
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(2)>" in text
    assert "[click me](javascript:alert(3))" in text
    assert "![pic](https://tracker.example/p.png)" in text
    assert "&lt;b&gt;not bold&lt;/b&gt; &#60;i&#62;" in text


def test_a_story_of_50_kb_renders_at_once_whatever_it_holds(visit: Visit) -> None:
    page = visit("/", wallet=False)
    for story in ("*" * 50_000, "[" * 25_000 + "]" * 25_000, ">" * 50_000, "**a " * 12_500, "`" * 50_000):
        shown = render(page, story)
        assert float(shown["ms"]) < 2000, (story[:8], shown["ms"])  # type: ignore[arg-type]
        assert int(shown["nodes"]) < 100  # type: ignore[call-overload]
    words = render(page, ("A paragraph with *some* **words** and `code`.\n\n" * 1100)[:50_000])
    assert float(words["ms"]) < 2000  # type: ignore[arg-type]


def test_a_campaign_page_shows_its_story_links_and_image(visit: Visit, demo: Demo) -> None:
    page = visit(f"/#/campaigns/{demo.ids['Community garden']}", wallet=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Community garden")
    story = page.locator(".story")
    expect(story.get_by_role("heading", level=3)).to_have_text("From empty lot to vegetables")
    expect(story.get_by_role("heading", level=4)).to_have_text("The plan")
    expect(story.locator("li")).to_have_count(3)
    expect(story.locator("li strong")).to_have_text("twelve raised beds")
    link = page.locator(".campaign-links a")
    expect(link).to_have_text("The council's lease")
    expect(link).to_have_attribute("href", "https://garden.example/lease")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    image = page.locator(".campaign-cover img")
    expect(image).to_have_attribute("alt", "Community garden")
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())


def test_a_hostile_story_is_shown_as_text(visit: Visit, demo: Demo) -> None:
    uri = demo.describe("Hostile story", "Markdown that tries everything", story=HOSTILE)
    campaign_id = demo.escrow.create_campaign(
        demo.accounts[0], goal=ETHER, deadline=demo.now() + 6 * DAY, metadata_uri=uri
    )
    demo.retire(campaign_id)
    demo.indexed()
    page = visit(f"/#/campaigns/{campaign_id}", wallet=False)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    story = page.locator(".story")
    expect(story).to_contain_text("<script>alert(1)</script>")
    expect(story).to_contain_text("<img src=x onerror=alert(2)>")
    expect(story).to_contain_text("[click me](javascript:alert(3))")
    expect(story.get_by_role("heading", level=3)).to_have_text("Our plan")
    assert page.locator("main script, main img[src=x], main [onerror], main [onclick]").count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0
    hrefs = story.locator("a").evaluate_all("links => links.map((a) => a.href)")
    assert hrefs == ["https://garden.example/plan"]
    assert dialogs == []


def tiered_campaign(demo: Demo) -> tuple[int, str, str]:
    """A campaign of its own with three tiers; account 6 pledged 0.5 ETH (the poster's one
    place), then account 7 0.6 ETH (the pin, and first in line for the poster). Active: the
    test retires it when done."""
    tiers = [
        {"id": "pin", "title": "An enamel pin", "description": "A *pin*.", "min_amount": str(ETHER // 10)},
        {
            "id": "poster",
            "title": "A signed poster",
            "description": "One of one.",
            "min_amount": str(ETHER // 2),
            "limit": 1,
            "delivery": "2027-05",
        },
        {
            "id": "print",
            "title": "A framed print",
            "description": "Framed.",
            "min_amount": str(ETHER),
            "limit": 3,
        },
    ]
    uri = demo.describe("Print studio", "Posters for the print studio", tiers=tiers)
    campaign_id = demo.escrow.create_campaign(
        demo.accounts[0], goal=2 * ETHER, deadline=demo.now() + 7 * DAY, metadata_uri=uri
    )
    first, second = demo.accounts[6], demo.accounts[7]
    demo.escrow.pledge(first, campaign_id, ETHER // 2)
    demo.escrow.pledge(second, campaign_id, 6 * ETHER // 10)
    demo.indexed()
    return campaign_id, first, second


def test_tiers_show_places_left_and_sold_out_and_each_backer_its_own(visit: Visit, demo: Demo) -> None:
    campaign_id, _, _ = tiered_campaign(demo)
    page = visit(f"/#/campaigns/{campaign_id}", wallet=False)
    tiers = page.locator(".tier")
    expect(tiers.locator(".tier-title")).to_have_text(["An enamel pin", "A signed poster", "A framed print"])
    expect(tiers.locator(".tier-amount")).to_have_text(
        ["0.1 ETH or more", "0.5 ETH or more", "1 ETH or more"]
    )
    expect(tiers.locator(".tier-places")).to_have_text(["Unlimited", "Sold out", "3 places left"])
    expect(tiers.locator(".tier-holders")).to_have_text(
        ["Held by 1 backer", "Held by 1 backer", "Nobody holds it yet"]
    )
    poster = page.locator("[data-tier=poster]")
    expect(poster).to_have_attribute("data-sold-out", "true")
    expect(poster.locator(".tier-line")).to_have_text("1 backer in line")
    expect(poster.locator(".tier-delivery")).to_have_text("Delivery May 2027")
    expect(page.locator("[data-tier=pin] .tier-description em")).to_have_text("pin")

    # The demo zine's colophon: two places, both taken by its two backers.
    page.goto(page.url.split("#")[0] + f"#/campaigns/{demo.ids['Zine printing run']}")
    colophon = page.locator("[data-tier=colophon]")
    expect(colophon.locator(".tier-places")).to_have_text("Sold out")
    expect(colophon.locator(".tier-holders")).to_have_text("Held by 2 backers")
    # The campaign has ended: nothing to choose.
    expect(page.locator(".tier").get_by_role("button", name="Choose")).to_have_count(0)

    # Each backer's panel names its reward, or its place in line for a sold-out one.
    page = visit(f"/#/campaigns/{campaign_id}", account=6)
    page.get_by_role("button", name="Connect wallet").first.click()
    expect(page.locator("#your-tier")).to_have_text(" Your reward: A signed poster.")
    expect(page.locator("#your-line")).to_have_count(0)

    page = visit(f"/#/campaigns/{campaign_id}", account=7)
    page.get_by_role("button", name="Connect wallet").first.click()
    expect(page.locator("#your-tier")).to_have_text(" Your reward: An enamel pin.")
    expect(page.locator("#your-line")).to_have_text(" You are 1st in line for A signed poster.")
    demo.retire(campaign_id)


def test_choosing_a_tier_fills_what_it_takes_beyond_the_pledge(visit: Visit, demo: Demo) -> None:
    campaign_id, _, second = tiered_campaign(demo)
    # A backer without a pledge: the tier's whole least pledge, and nothing sent.
    page = visit(f"/#/campaigns/{campaign_id}", account=4)
    page.get_by_role("button", name="Connect wallet").first.click()
    page.locator("[data-tier=poster]").get_by_role("button", name="Choose").click()
    expect(page.get_by_label("Amount to pledge (ETH)")).to_have_value("0.5")
    assert "eth_sendTransaction" not in page.evaluate("window.testWallet.state.requests")

    page = visit(f"/#/campaigns/{campaign_id}", account=7)
    # Before connecting, the tier says what it takes; the form is filled once connected.
    page.locator("[data-tier=print]").get_by_role("button", name="Choose").click()
    expect(page.locator("#tier-choice")).to_have_text("“A framed print” takes a pledge of 1 ETH or more.")
    page.get_by_role("button", name="Connect wallet").first.click()
    amount = page.get_by_label("Add to your pledge (ETH)")
    expect(amount).to_have_value("0.4")  # 1 ETH less the 0.6 pledged
    expect(page.locator("#tier-choice")).to_have_text(
        "“A framed print” takes 1 ETH: 0.4 ETH more than your pledge."
    )

    page.locator("[data-tier=pin]").get_by_role("button", name="Choose").click()
    expect(page.locator("#tier-choice")).to_have_text(
        "Your pledge of 0.6 ETH already reaches “An enamel pin” (0.1 ETH)."
    )

    page.locator("[data-tier=print]").get_by_role("button", name="Choose").click()
    expect(amount).to_be_focused()
    page.get_by_role("button", name="Pledge more").click()
    expect(status_of(page)).to_contain_text("Confirmed: Pledge 0.4 ETH to “Print studio”")
    assert demo.escrow.pledge_of(campaign_id, second) == ETHER
    expect(page.locator("#your-tier")).to_have_text(" Your reward: A framed print.")
    expect(page.locator("[data-tier=print] .tier-places")).to_have_text("2 places left")
    demo.retire(campaign_id)
