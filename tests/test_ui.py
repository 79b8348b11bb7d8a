"""The web UI in a real browser (Debian chromium driven by Playwright), plus its API endpoints."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES

import qa
from qa.uploads import safe_name, store_uploads

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts"
XSS_TEXT = ("Mayor reads a strange letter aloud. The letter said <script>alert(1)</script> and "
            "<img src=x onerror=alert(1)> in the middle of the council meeting.\n")
# A handbook long enough that a passage starts inside a subsection: its card names the section.
HANDBOOK = "# Harbour ferry handbook\n\n## Timetable\n\n### Winter\n\n" + " ".join(
    f"On winter weekdays the ferry number {i} crosses the bay with the morning commuters and their bicycles."
    for i in range(12)) + "\nThe last winter ferry leaves Keel Bay at 18:40 on Sundays.\n\n## Fares\n\nAdults pay 4 pounds.\n"


def test_uploads_are_referenced_from_the_working_folder_when_under_it(tmp_path, monkeypatch):
    from qa.ui import _shown_path

    monkeypatch.chdir(tmp_path / ".")
    assert _shown_path(str(tmp_path / "index" / "default" / "uploads")) == os.path.join("index", "default", "uploads")
    outside = os.path.dirname(str(tmp_path))
    assert _shown_path(outside) == outside


def test_upload_names_stay_inside_the_folder(tmp_path):
    assert safe_name("../../etc/passwd") == "passwd.txt"
    assert safe_name("/abs/path/My Notes (v2).MD") == "My_Notes_v2.md"
    assert safe_name("..") == "upload.txt"
    assert safe_name("a\\..\\b.csv") == "b.csv"
    # any script's letters stay, composed as one character each (macOS sends "U" and a diaeresis)
    assert safe_name("U\u0308ber uns.md") == "Über_uns.md" and safe_name("議事録 2024.MD") == "議事録_2024.md"
    assert safe_name("\U00020000" * 80 + ".txt") == "\U00020000" * 50 + ".txt"  # 200 bytes of 4-byte letters
    assert safe_name("🚢🚢.md") == "upload.md"
    src = tmp_path / "x.txt"
    src.write_text("hello")
    folder = tmp_path / "uploads"
    stored = store_uploads([str(src), str(src)], str(folder))
    assert [os.path.basename(p) for p in stored] == ["x.txt", "x-2.txt"]
    assert all(os.path.dirname(p) == str(folder.resolve()) for p in stored)
    inbox = tmp_path / "Inbox"  # Thunderbird's folder file, dropped on the page: kept as a mailbox
    inbox.write_bytes(b"From - Mon Mar 04 09:00:00 2024\nSubject: Crane\nFrom: ann@example.org\n\nForty tonnes.\n")
    notes = tmp_path / "notes"
    notes.write_text("From the quay, at 09:00 sharp.\nSubject: none\nBye\n")
    assert [os.path.basename(p) for p in store_uploads([str(inbox), str(notes)], str(folder))] == [
        "Inbox.mbox", "notes.txt"]


def _start_app(args: list[str], cwd, log_path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    log = open(log_path, "w")  # noqa: SIM115 - the caller's process outlives this function
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), *args, "--port", str(port)],
                            env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("app did not start: " + Path(log_path).read_text())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


APP_INDEX: dict[str, Path] = {}  # each served app's index folder


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("QA_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing; apt-get install chromium")
        pytest.skip(f"{CHROMIUM} not installed")
    tmp = tmp_path_factory.mktemp("ui")
    corpus = tmp / "news"
    shutil.copytree(SAMPLES, corpus)
    (corpus / "xss.txt").write_text(XSS_TEXT, encoding="utf-8")
    index = tmp / "index"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    # A relative path, as a user types it: references read news/world.txt:1-6.
    subprocess.run([sys.executable, "-m", "qa.cli", "index", "news", "--index", str(index), "--quiet"],
                   check=True, env=env, cwd=tmp, capture_output=True)
    proc, url = _start_app(["--index", str(index)], tmp, tmp / "app.log")
    APP_INDEX[url] = index
    yield url
    proc.terminate()
    proc.wait(20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    ARTIFACTS.mkdir(exist_ok=True)
    pg = browser.new_page(viewport={"width": 1200, "height": 1000})
    pg.dialogs, pg.accept_dialogs = [], False
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.accept() if pg.accept_dialogs else d.dismiss()))
    pg.goto(app_url)
    pg.wait_for_selector("#question textarea", timeout=60000)
    yield pg
    pg.close()


def ask(pg, question):
    pg.fill("#question textarea", question)
    pg.click("#ask")
    pg.wait_for_selector("#results .qa-card", timeout=60000)


pytestmark = [pytest.mark.browser, pytest.mark.model]


def test_ask_shows_a_card_with_the_reference(page):
    ask(page, "How many dockworkers went on strike?")
    first = page.locator("#results .qa-card").first
    assert "world.txt:1-6" in first.locator(".qa-ref").inner_text()
    assert "4,200" in first.locator("mark.qa-best").inner_text()
    assert first.locator("mark.qa-best b.qa-answer").all_inner_texts() == ["4,200"]  # the number asked for
    assert "dense rank 1" in first.locator(".qa-detail").inner_text()
    assert first.locator(".qa-missing s").all_inner_texts() == ["went"]  # they "walked off the job"
    page.screenshot(path=str(ARTIFACTS / "ask.png"))
    if os.environ.get("QA_README_SCREENSHOT"):
        page.screenshot(path=str(ROOT / "docs" / "screenshot.png"), clip={"x": 0, "y": 0, "width": 1200, "height": 900})


def test_an_address_asks_with_its_options_kept_in_range_and_without_a_question_asks_nothing():
    from starlette.datastructures import QueryParams

    from qa.pagelink import asked

    assert asked(QueryParams("k=3")) is None and asked(QueryParams("q=+%20")) is None
    assert asked(QueryParams("q=Who++won%3F&k=99&mode=magic&per=0&tag=a&tag=b&tag=&author=Ann&from=2024-01-01")) == [
        "Who won?", 20, "hybrid", "", "2024-01-01", "", 1, ["a", "b"], "Ann"]
    assert asked(QueryParams("q=x&k=two&per=3&mode=dense"))[1:3] == [5, "dense"]


def test_a_questions_address_asks_it_and_asking_puts_the_question_in_the_address(browser, app_url):
    pg = browser.new_page(viewport={"width": 1200, "height": 1000})
    asked = urllib.parse.urlencode([("q", "Why is there a hosepipe ban?"), ("mode", "lexical"), ("tag", "local")])
    pg.goto(f"{app_url}?{asked}")
    pg.wait_for_selector("#results .qa-card", timeout=60000)  # asked as the page opened
    assert pg.input_value("#question textarea") == "Why is there a hosepipe ban?"
    first = pg.locator("#results .qa-card").first
    assert "water-restrictions.md" in first.locator(".qa-ref").inner_text()
    assert "(lexical)" in first.locator(".qa-detail").inner_text()  # the mode it names
    ask(pg, "When does the bridge close?")
    pg.wait_for_function("() => location.search.includes('bridge')", timeout=10000)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(pg.url).query)
    assert query == {"q": ["When does the bridge close?"], "mode": ["lexical"], "tag": ["local"]}
    assert all(".md" in ref for ref in pg.locator("#results .qa-ref").all_inner_texts())  # still tagged "local"
    pg.goto(app_url)  # no question in the address: none asked
    pg.wait_for_selector("#question textarea", timeout=60000)
    pg.wait_for_timeout(1000)
    assert pg.input_value("#question textarea") == "" and pg.locator("#results .qa-card").count() == 0
    pg.close()


def test_a_misspelt_question_offers_its_spelling_and_asks_it_with_the_options_kept(browser, app_url):
    pg = browser.new_page(viewport={"width": 1200, "height": 1000})
    pg.goto(f"{app_url}?q=how+many+dokworkers+went+on+strik&mode=lexical")  # asked as the page opens
    pg.wait_for_selector("#results .qa-card", timeout=60000)
    link = pg.locator("#results a.qa-suggest")
    assert link.inner_text() == "how many dockworkers went on strike"
    assert pg.locator("#results .qa-msg").first.inner_text() == "Did you mean how many dockworkers went on strike?"
    pg.screenshot(path=str(ARTIFACTS / "did-you-mean.png"))
    link.click()  # the page opens at the address asking it, the mode kept
    pg.wait_for_function("() => new URLSearchParams(location.search).get('q') === 'how many dockworkers went on strike'",
                         timeout=30000)
    pg.wait_for_selector("#results .qa-card", timeout=60000)
    assert pg.input_value("#question textarea") == "how many dockworkers went on strike"
    assert urllib.parse.parse_qs(urllib.parse.urlparse(pg.url).query)["mode"] == ["lexical"]
    first = pg.locator("#results .qa-card").first
    assert "dockworkers" in first.inner_text().lower() and "(lexical)" in first.inner_text()
    assert pg.locator("#results a.qa-suggest").count() == 0
    pg.close()


def _contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two computed ``rgb(r, g, b)`` colours."""
    def luminance(color: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", color)[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_highlighted_answers_are_readable_in_the_light_and_the_dark_theme(browser, app_url, theme):
    pg = browser.new_page(viewport={"width": 1200, "height": 1000}, color_scheme=theme)
    try:
        pg.goto(f"{app_url}?__theme={theme}")
        pg.wait_for_selector("#question textarea", timeout=60000)
        ask(pg, "Why did the dockers strike?")
        pg.wait_for_selector("#results mark.qa-best", timeout=60000)
        colors = pg.evaluate("() => [...document.querySelectorAll('#results mark')].map(m => {"
                             " const s = getComputedStyle(m); return [m.className, s.color, s.backgroundColor]; })")
        assert {cls for cls, _, _ in colors} == {"qa-best", ""}  # the best answer and others
        for cls, fg, bg in colors:  # WCAG AA for text: 4.5
            assert _contrast(fg, bg) >= 4.5, (theme, cls, fg, bg)
        page_bg = pg.evaluate("() => getComputedStyle(document.querySelector('.qa-card')).backgroundColor")
        assert (_contrast("rgb(0, 0, 0)", page_bg) < 5) == (theme == "dark")  # the theme took
    finally:
        pg.close()


def test_a_card_strikes_through_the_question_words_it_lacks(page):
    ask(page, "Which film won the festival in Atlantis?")
    first = page.locator("#results .qa-card").first
    assert "culture.html" in first.locator(".qa-ref").inner_text()
    assert first.locator(".qa-missing s").all_inner_texts() == ["won", "Atlantis"]
    assert first.locator(".qa-missing s").first.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"


def test_a_question_the_articles_cannot_answer_gets_a_notice_and_no_highlights(page):
    ask(page, "What is the capital of Mongolia?")
    notice = page.locator("#results .qa-warn")
    assert notice.inner_text() == "No passage seems to answer this (none mentions capital or Mongolia); the closest follow."
    assert notice.is_visible()
    cards = page.locator("#results .qa-card")
    assert cards.count() == 5 and page.locator("#results .qa-card .qa-weak").count() == 5
    assert page.locator("#results mark").count() == 0
    page.screenshot(path=str(ARTIFACTS / "weak.png"))
    ask(page, "What is it?")
    said = page.locator("#results .qa-info", has_text="common words")
    said.wait_for(timeout=60000)
    assert said.inner_text() == "The question has only common words (what, is, it): add a word for what you are asking about."
    assert page.locator("#results .qa-warn").inner_text() == "No passage seems to answer this; the closest follow."
    assert page.locator("#results mark").count() == 0


def test_quoted_words_are_looked_for_side_by_side_and_said_when_no_passage_holds_them(page):
    ask(page, 'How often does the "free ferry" run?')
    cards = page.locator("#results .qa-card")
    assert cards.count() == 1 and "bridge-closure.md" in cards.first.locator(".qa-ref").inner_text()
    assert cards.first.locator("b.qa-quoted").all_inner_texts() == ["free ferry"]  # marked where it is
    assert page.locator("#results .qa-msg").count() == 0
    ask(page, 'How often does the "free night ferry" run?')
    said = page.locator("#results .qa-msg").first
    said.wait_for(timeout=60000)
    assert said.inner_text().startswith("No passage holds “free night ferry” as quoted")
    assert page.locator("#results .qa-card").count() == 5
    ask(page, "Who went on strike -harbour")  # the dockworkers' strike at the harbour left out
    page.locator("#results .qa-card", has_text="Quebec").first.wait_for(timeout=60000)
    texts = page.locator("#results .qa-card").all_inner_texts()
    assert len(texts) == 5 and "nurses" in texts[0] and not any("harbour" in t.lower() for t in texts)


def test_a_long_title_wraps_beside_its_rank(page):
    ask(page, "How strong was the earthquake in Ardeni?")
    first = page.locator("#results .qa-card").first
    title, rank = first.locator(".qa-title").bounding_box(), first.locator(".qa-rank").bounding_box()
    assert "earthquake" in first.locator(".qa-title").inner_text()
    assert title["height"] > 1.5 * rank["height"]  # it takes two lines at this width...
    assert abs(title["y"] - rank["y"]) < 4 and title["x"] > rank["x"] + rank["width"]  # ...both right of the rank


def test_card_titles_are_drawn_in_one_typeface(page):
    """Gradio's semibold webfont holds a handful of glyphs: titles drawn semibold mixed two
    faces, letter by letter. Each title must come from one font file (the page's bold)."""
    ask(page, "How many dockworkers went on strike?")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]["nodeId"]
    titles = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "#results .qa-title"})["nodeIds"]
    assert titles
    for node in titles:
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        assert len(fonts) == 1 and fonts[0]["isCustomFont"], fonts


def test_similar_articles_from_a_card(page):
    ask(page, "How many dockworkers went on strike?")
    page.locator("#results button.qa-similar").first.click()
    page.wait_for_selector("#similar-results .qa-sim", timeout=60000)
    text = page.locator("#similar-results").inner_text()
    assert "Valmora port strike costs exporters millions" in text and "biz-004" in text
    assert "Valmora" in page.locator("#similar-results .qa-sim .qa-common").first.inner_text()
    # Brought into view (it lies below five cards), and gone with the next question's hits.
    page.wait_for_function("(t => t >= 0 && t < window.innerHeight - 300)(document.getElementById("
                           "'similar-results').getBoundingClientRect().top)", timeout=10000)
    page.screenshot(path=str(ARTIFACTS / "similar.png"), full_page=True)
    ask(page, "Who won the marathon?")
    page.wait_for_function("!document.querySelector('#similar-results .qa-sim')", timeout=30000)


def test_the_similar_tab_finds_articles_like_a_chosen_one_a_pasted_text_or_a_file(page, tmp_path):
    page.get_by_role("tab", name="Similar articles").click()
    results = page.locator("#similar-tab-results")

    def find(heading):
        page.click("#find-similar")
        page.wait_for_function(f"document.querySelector('#similar-tab-results').innerText.includes({heading!r})",
                               timeout=60000)
        return results.locator(".qa-sim .qa-title").all_inner_texts(), results.locator(".qa-common").all_inner_texts()

    page.get_by_label("Find an article by title").fill("exporters")
    page.wait_for_function("document.querySelector('#pick-article input').value.includes('exporters')", timeout=30000)
    titles, common = find("Articles similar to “Valmora port strike costs exporters millions”")
    assert titles[0].startswith("Dockworkers at the port of Valmora") and "Valmora" in common[0]
    page.get_by_label("…or paste text").fill("A storm surge flooded the town library")
    titles, _ = find("Articles similar to the pasted text")
    assert "Keel Bay library reopens after flood repairs" in titles[:2]
    mine = tmp_path / "race.md"  # compared, not added
    mine.write_text("# Race day\n\nThe marathon winner crossed the line in record time.\n", encoding="utf-8")
    page.locator("#similar-file input[type=file]").set_input_files(str(mine))
    page.wait_for_selector("#similar-file .file-preview, #similar-file table", timeout=30000)
    titles, common = find("Articles similar to race.md")
    assert titles[0].startswith("A record 41,000 runners finished the Bellport marathon") and "marathon" in common[0]


def test_a_cards_url_opens_the_page_scrolled_to_the_highlight(page):
    ask(page, "How many tickets did the film festival sell?")
    first = page.locator("#results .qa-card").first
    assert first.locator(".qa-title").inner_text() == "Bellport film festival crowns a debut drama"
    page_url = "https://example.org/culture/bellport-film-festival"
    link = first.locator("a.qa-url")
    assert link.inner_text() == page_url and link.get_attribute("href").startswith(page_url + "#:~:text=")
    # The live page, answered here (the tests never reach the network): a tall header puts the
    # article below the fold, so only the text fragment can bring the highlight into view.
    live_html = (SAMPLES / "culture.html").read_text(encoding="utf-8").replace(
        "<article>", '<div style="height: 5000px"></div><article>')
    page.context.route(page_url, lambda route: route.fulfill(body=live_html, content_type="text/html"))
    try:
        with page.expect_popup() as opened:
            link.click()
        live = opened.value
        live.wait_for_function("window.scrollY > 4000", timeout=15000)
        live.screenshot(path=str(ARTIFACTS / "text-fragment.png"))
        live.goto(page_url)  # the same page without the fragment stays at its top
        assert live.evaluate("window.scrollY") == 0
        live.close()
    finally:
        page.context.unroute(page_url)


def test_empty_question_gives_a_message(page):
    page.click("#ask")
    page.wait_for_selector("#results .qa-msg", timeout=30000)
    assert "Type a question" in page.locator("#results").inner_text()


def upload(page, path) -> str:
    """Add a file on the Add articles tab; the summary it gives."""
    page.get_by_role("tab", name="Add articles").click()
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.wait_for_timeout(500)
    pre = page.locator("#add-summary pre")
    before = pre.inner_text() if pre.count() else ""
    page.click("#add")
    # the summary's own text, not the progress shown over the last one
    page.wait_for_function("([sel, old]) => { const e = document.querySelector(sel);"
                           " return e && e.innerText !== old; }",
                           arg=["#add-summary pre", before], timeout=120000)
    return pre.inner_text()


def test_upload_then_find_it(page, tmp_path):
    f = tmp_path / "evil name.txt"
    f.write_text("The Lumen observatory discovered a purple moon orbiting a nearby planet.\n", encoding="utf-8")
    summary = upload(page, f)
    assert "embedded 1" in summary
    page.screenshot(path=str(ARTIFACTS / "upload.png"), full_page=True)
    # the files chosen go once added: the next add does not upload them again (as evil_name-2.txt)
    assert "evil" not in page.locator("#upload").inner_text()
    page.get_by_role("tab", name="Ask").click()
    ask(page, "Which observatory found a purple moon?")
    assert "uploads/evil_name.txt" in page.locator("#results .qa-card .qa-ref").first.inner_text()
    # A note's #tag joins the tag filter's list once it is added.
    note = tmp_path / "moons.md"
    note.write_text("# Moons\n\nThe purple moon is tidally locked. #astro/moons\n", encoding="utf-8")
    summary = upload(page, note)
    assert "embedded 1" in summary and "read 2 articles from 2 files" in summary
    page.get_by_role("tab", name="Ask").click()
    page.get_by_text("Options and filters").click()
    page.locator("#tags input").click()
    page.get_by_role("option", name="astro/moons (1)").wait_for(timeout=10000)


def test_an_uploaded_markdown_handbooks_card_names_the_section_of_its_passage(page, tmp_path, app_url):
    # Uploaded, not in the corpus from the start: any new article shifts every word's IDF, and
    # the first test's best highlight is a near tie (4,200 joined the strike 0.452, dockworkers
    # walked off the job 0.444).
    f = tmp_path / "ferry-handbook.md"
    f.write_text(HANDBOOK, encoding="utf-8")
    upload(page, f)
    page.get_by_role("tab", name="Ask").click()
    ask(page, "When does the last winter ferry leave on Sundays?")
    first = page.locator("#results .qa-card").first
    assert "uploads/ferry-handbook.md" in first.locator(".qa-ref").inner_text()
    assert "18:40" in first.locator("mark.qa-best").inner_text()
    assert first.locator(".qa-section").inner_text().split() == ["›", "Timetable", "›", "Winter"]
    first.screenshot(path=str(ARTIFACTS / "section.png"))
    # the text around the passage is on the card, folded until its line is clicked
    [before] = first.locator("details.qa-around").all()  # its last passage: nothing after it
    assert before.locator("summary").inner_text().startswith("Text before it · 1-")
    assert not before.locator(".qa-passage").is_visible()
    before.locator("summary").click()
    assert "ferry number 0 crosses the bay" in before.locator(".qa-passage").inner_text()
    assert "Adults pay 4 pounds." in first.locator(":scope > .qa-passage").inner_text()
    first.screenshot(path=str(ARTIFACTS / "around.png"))
    # The handbook is split into passages; one card per article unless asked for more, and a
    # note says so when that leaves fewer cards than asked for.
    refs = page.locator("#results .qa-card .qa-ref").all_inner_texts()
    assert sum("ferry-handbook.md" in r for r in refs) == 1 and len(refs) == 5
    assert page.locator("#results .qa-msg").count() == 0
    page.get_by_text("Options and filters").click()
    page.get_by_label("Source (glob or folder)").fill("*ferry-handbook.md")
    ask(page, "When does the last winter ferry leave on Sundays?")
    page.get_by_text("Only one article matches").wait_for(timeout=30000)
    assert page.locator("#results .qa-card").count() == 1
    note = page.locator("#results .qa-msg").inner_text()
    assert note == "Only one article matches: raise “Passages per article” under Options and filters to see up to 2 of its passages.", note
    page.screenshot(path=str(ARTIFACTS / "per-article.png"))
    per_article = page.locator("#per-article input[type=number]")
    per_article.fill("3")
    per_article.press("Enter")
    ask(page, "When does the last winter ferry leave on Sundays?")
    page.wait_for_function("document.querySelectorAll('#results .qa-card').length == 2")
    refs = page.locator("#results .qa-card .qa-ref").all_inner_texts()
    assert all("ferry-handbook.md" in r for r in refs), refs
    assert page.locator("#results .qa-msg").count() == 0  # all there is
    from gradio_client import Client  # the API's per_article, after the six the README shows

    client = Client(app_url, verbose=False)
    for per_article, most in ((3, 2), (1, 1)):
        hits = client.predict("When does the ferry leave?", 10, "hybrid", "", "", "", per_article, api_name="/ask")
        ids = [h["article_id"] for h in hits]
        assert max(map(ids.count, ids)) == most, ids


def test_the_tag_filter_lists_the_indexed_tags_and_keeps_only_their_articles(page):
    page.get_by_text("Options and filters").click()
    assert page.get_by_text("Dropdown", exact=True).count() == 0  # no stray component beside it
    page.locator("#tags input").click()
    option = page.get_by_role("option", name="biology (3)")
    option.wait_for(timeout=10000)
    option.click()
    page.keyboard.press("Escape")
    ask(page, "What did the researchers find?")
    refs = page.locator("#results .qa-card .qa-ref").all_inner_texts()
    # science.jsonl's three biology records (lines 1, 5, 6), nothing else, though k is 5.
    assert sorted(r.split()[0] for r in refs) == ["news/science.jsonl:1", "news/science.jsonl:5",
                                                   "news/science.jsonl:6"], refs
    page.screenshot(path=str(ARTIFACTS / "tags.png"), full_page=True)


def test_the_author_filter_lists_the_authors_and_takes_a_part_of_a_name(page):
    page.get_by_text("Options and filters").click()
    page.locator("#author input").click()
    option = page.get_by_role("option", name="Lena Marsh (1)")  # culture.html's <meta name="author">
    option.wait_for(timeout=10000)
    option.click()
    ask(page, "What happened?")
    assert [r.split()[0] for r in page.locator("#results .qa-card .qa-ref").all_inner_texts()] == ["news/culture.html:14-22"]
    page.screenshot(path=str(ARTIFACTS / "author.png"))
    page.locator("#author input").fill("nobody")  # typed, not chosen: a part of a name
    page.keyboard.press("Escape")
    page.click("#ask")
    page.get_by_text("No passage matches").wait_for(timeout=30000)


def test_the_library_lists_files_with_dates_and_titles_and_can_be_searched(page):
    page.get_by_role("tab", name="Library").click()
    table = page.locator("#library")
    table.get_by_text("news/local/library-reopens.md").wait_for(timeout=30000)
    text = table.inner_text()
    assert "Keel Bay library reopens after flood repairs" in text and "2024-04-02" in text
    # A file of several articles: their count, the span of their dates, the first title.
    assert re.search(r"news/business\.csv\s+4\s+2024-02-21 – 2024-06-03\s+.+ \(\+3 more\)", text), text
    # A long path wraps after a folder's separator, never inside a name.
    cell = table.locator("[role=gridcell]").filter(has_text="library-reopens.md").first
    assert "news/<wbr>local/<wbr>library-reopens.md" in cell.inner_html()
    page.locator("#library-find textarea").fill("BRIDGE")  # a part of a path, any case
    page.wait_for_function("!document.querySelector('#library').innerText.includes('library-reopens.md')")
    filtered = table.inner_text()
    assert "bridge-closure.md" in filtered and "business.csv" not in filtered
    page.locator("#library-find textarea").fill("flood repairs")  # a part of a title
    page.wait_for_function("!document.querySelector('#library').innerText.includes('bridge-closure.md')")
    assert "news/local/library-reopens.md" in table.inner_text()
    page.locator("#library-find textarea").fill("driverless TRAM")  # a later story's title in world.txt
    page.wait_for_function("!document.querySelector('#library').innerText.includes('library-reopens.md')")
    assert re.search(r"news/world\.txt\s+\d+", table.inner_text())
    page.locator("#library-find textarea").fill("")
    page.wait_for_function("document.querySelector('#library').innerText.includes('bridge-closure.md')")
    page.screenshot(path=str(ARTIFACTS / "library.png"), full_page=True)


def test_a_source_chosen_in_the_library_is_removed_once_confirmed(page, tmp_path, app_url):
    f = tmp_path / "tide-table.txt"
    f.write_text("High tide at Keel Bay harbour is at 06:12 on Saturday, the highest of the spring.\n",
                 encoding="utf-8")
    upload(page, f)
    stored = [p for p in (APP_INDEX[app_url] / "uploads").iterdir() if p.name.startswith("tide-table")]
    assert len(stored) == 1
    before = int(re.search(r"(\d+)\s+articles", page.locator("body").inner_text()).group(1))
    page.get_by_role("tab", name="Library").click()
    table = page.locator("#library")
    # A file not found (moved away; kept by updates of other folders) is marked so.
    away = tmp_path / "away.txt"
    stored[0].rename(away)
    page.get_by_role("button", name="Refresh").click()
    page.wait_for_function("document.querySelector('#library').innerText.includes('tide-table.txt (file not found)')")
    away.rename(stored[0])
    page.get_by_role("button", name="Refresh").click()
    page.wait_for_function("!document.querySelector('#library').innerText.includes('(file not found)')")
    table.get_by_text("tide-table.txt").first.click()
    chosen = page.locator("#chosen-source textarea")
    page.wait_for_function("document.querySelector('#chosen-source textarea').value.includes('tide-table.txt')")
    source = chosen.input_value()
    assert source.endswith("uploads/tide-table.txt")
    # Cancelled: nothing goes.
    page.click("#remove-source")
    page.get_by_text("Nothing removed").wait_for(timeout=30000)
    assert page.dialogs[-1].startswith(f"Remove the articles of {source} from the index?")
    assert stored[0].exists() and "tide-table.txt" in table.inner_text()
    page.accept_dialogs = True
    page.click("#remove-source")
    page.wait_for_selector("#remove-summary pre", timeout=60000)
    lines = page.locator("#remove-summary pre").inner_text().splitlines()
    assert lines[0] == f"removed 1 article read from {source}" and lines[-1] == "its uploaded copy was deleted too"
    page.wait_for_function("!document.querySelector('#library').innerText.includes('tide-table.txt')")
    after = int(re.search(r"(\d+)\s+articles", page.locator("body").inner_text()).group(1))
    assert after == before - 1
    assert not stored[0].exists()  # the index's own copy: a later upload would have added it back
    page.screenshot(path=str(ARTIFACTS / "removed.png"), full_page=True)
    page.get_by_role("tab", name="Ask").click()
    ask(page, "When is high tide at Keel Bay harbour?")
    assert "tide-table" not in page.locator("#results").inner_text()


def test_html_in_articles_is_shown_as_text(page):
    ask(page, "strange letter the mayor read at the council meeting")
    first = page.locator("#results .qa-card").first
    text = first.inner_text()
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert page.locator("#results img").count() == 0 and page.locator("#results script").count() == 0
    page.wait_for_timeout(500)
    assert page.dialogs == []
    page.screenshot(path=str(ARTIFACTS / "xss.png"))


def test_gradio_client_gets_structured_hits(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    hits = client.predict("Who won the marathon?", 3, "hybrid", "", "", "", api_name="/ask")
    assert len(hits) == 3
    assert hits[0]["source"].endswith("world.txt") and hits[0]["line_start"] == 57
    assert {"rank", "score", "article_id", "title", "text", "highlights", "dense_rank", "lexical_rank"} <= set(hits[0])
    assert hits[0]["reference"] == "news/world.txt:57-60" and hits[0]["link"] is None
    tagged = client.predict("What did the researchers find?", 5, "hybrid", "", "", "", 1, "Biology, insects",
                            api_name="/ask")
    assert [h["article_id"] for h in tagged] == ["sci-005"]  # the one with both tags
    by = client.predict("What happened?", 5, "hybrid", "", "", "", 1, "", " MARSH ", api_name="/ask")
    assert [(h["source"].rsplit("/", 1)[-1], h["author"]) for h in by] == [("culture.html", "Lena Marsh")]
    sims = client.predict("biz-004", "", 2, api_name="/similar")
    assert len(sims) == 2 and "biz-004" not in [s["article_id"] for s in sims]


def test_auth_and_the_open_host_warning(tmp_path):
    from gradio_client import Client

    index = tmp_path
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The harbour froze in January.\n")
    subprocess.run([sys.executable, "-m", "qa.cli", "index", str(corpus), "--index", str(index / "idx"), "--quiet"],
                   check=True, capture_output=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    proc, url = _start_app(["--index", str(index / "idx"), "--host", "0.0.0.0", "--auth", "ann:secret"],
                           tmp_path, tmp_path / "auth.log")
    try:
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do; the point is no answer
            Client(url, verbose=False).predict("harbour", 1, "hybrid", "", "", "", api_name="/ask")
        hits = Client(url, auth=("ann", "secret"), verbose=False).predict(
            "harbour", 1, "hybrid", "", "", "", api_name="/ask")
        assert hits[0]["source"].endswith("a.txt")
    finally:
        proc.terminate()
        proc.wait(20)
    assert "warning: serving on 0.0.0.0" in (tmp_path / "auth.log").read_text()


def test_readme_screenshot_is_small():
    shot = Path(ROOT / "docs" / "screenshot.png")
    assert shot.exists() and shot.stat().st_size < 400_000


def test_fifty_concurrent_api_clients_all_get_answers(app_url):
    from loadgen import run_load

    report = run_load(app_url, clients=50, per_client=2, timeout=240)
    assert report.errors == 0, report.first_error
    assert report.answered == 100


def test_an_uploaded_zip_export_keeps_its_folders_and_goes_whole(page, tmp_path, app_url):
    import json
    import zipfile

    users = [{"id": "U01ANN", "name": "ann", "real_name": "Ann Lee"}]
    day = [{"type": "message", "user": "U01ANN", "ts": "1709640000.000100",
            "text": "<!here> the east quay dredging starts on April 8, ask <@U01ANN> for the barge plan."}]
    later = [{"type": "message", "user": "U01ANN", "ts": "1709740000.000100", "text": "The barge is moored at pier two."}]
    archive = tmp_path / "quay-export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("users.json", json.dumps(users))
        zf.writestr("quay/2024-03-05.json", json.dumps(day))
        zf.writestr("quay/2024-03-06.json", json.dumps(later))
        zf.writestr("quay/logo.png", b"\x89PNG")
    summary = upload(page, archive)
    folder = os.path.join("uploads", "quay-export")
    assert re.search(rf"quay-export.zip: unpacked 3 files into \S*{re.escape(folder)}; 1 left in the archive: 1 .png",
                     summary), summary
    assert "embedded 2," in summary  # the messages; users.json holds no article, as in Slack's export
    # Long lines (paths, skip reasons) wrap inside the page instead of running off it.
    assert page.locator("#add-summary pre").evaluate("e => e.scrollWidth <= e.clientWidth")
    page.get_by_role("tab", name="Ask").click()
    ask(page, "When does the east quay dredging start?")
    first = page.locator("#results .qa-card").first
    assert "uploads/quay-export/quay/2024-03-05.json" in first.locator(".qa-ref").inner_text()
    assert "ask @Ann Lee for the barge plan" in first.inner_text()  # the name from the export's users.json
    # The archive has a row of its own above its files; chosen, it is removed whole, its copy too.
    stored = APP_INDEX[app_url] / "uploads" / "quay-export"
    assert (stored / "users.json").exists()
    page.get_by_role("tab", name="Library").click()
    page.locator("#library-find textarea").fill("quay-export")  # a long list: find it
    row = page.locator("#library").get_by_text("(uploaded archive, 2 files)").locator("visible=true").first
    row.click()
    page.wait_for_function("document.querySelector('#chosen-source textarea').value.endsWith('quay-export/')")
    page.accept_dialogs = True
    page.click("#remove-source")
    page.wait_for_selector("#remove-summary pre", timeout=60000)
    lines = page.locator("#remove-summary pre").inner_text().splitlines()
    assert re.fullmatch(r"removed 2 articles read from \S*quay-export/", lines[0]), lines
    assert lines[-1] == "its uploaded copy was deleted too"
    assert not stored.exists()  # users.json and all: a later upload would have added its files back
    page.get_by_role("tab", name="Ask").click()
    ask(page, "When does the east quay dredging start?")  # the earlier answer's cards stay until new ones come
    page.wait_for_function("(() => { const r = document.querySelector('#results');"
                           " return r.querySelector('.qa-card') && !r.innerText.includes('processing')"
                           " && !r.innerText.includes('quay-export'); })()", timeout=60000)


def counts(pg) -> str:
    """The page's '12 articles · 30 passages'."""
    pg.wait_for_function("/\\d+\\s+articles/.test(document.body.innerText)")
    return re.search(r"(\d+)\s+articles\s*·\s*(\d+)\s+passages", pg.locator("body").inner_text()).group(0)


def test_a_page_opened_later_shows_the_index_as_it_is_now(page, browser, tmp_path, app_url):
    f = tmp_path / "pilot-boat.txt"
    f.write_text("The pilot boat Mira guides tankers into Keel Bay after dark.\n", encoding="utf-8")
    upload(page, f)
    after = counts(page)
    later = browser.new_page(viewport={"width": 1200, "height": 1000})
    try:
        later.goto(app_url)
        later.wait_for_selector("#question textarea", timeout=60000)
        # Its first values were the server's start's; the page's load brings the current ones.
        later.wait_for_function(f"document.body.innerText.includes({after!r})", timeout=30000)
        later.get_by_role("tab", name="Library").click()
        later.locator("#library-find textarea").fill("pilot-boat")
        later.locator("#library").get_by_text("pilot-boat.txt").locator("visible=true").first.wait_for(timeout=30000)
    finally:
        later.close()


def test_an_open_page_follows_an_update_made_in_another_process(page, tmp_path, app_url):
    # the page opens with the server's first counts and draws the index's on load (earlier
    # tests added articles): read them once it has
    n = qa.Library.open(str(APP_INDEX[app_url])).info().articles
    page.wait_for_function(f"/\\b{n} articles/.test(document.body.innerText)", timeout=30000)
    before = counts(page)
    page.get_by_role("tab", name="Library").click()
    page.locator("#library-find textarea").fill("lighthouse")
    f = tmp_path / "lighthouse-keeper.txt"
    f.write_text("The last lighthouse keeper of Fenn Rock retired in 1987.\n", encoding="utf-8")
    # qa index in another terminal, while the page stays open and is not reloaded
    subprocess.run([sys.executable, "-m", "qa.cli", "index", str(f), "--index", str(APP_INDEX[app_url]), "--quiet"],
                   check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, capture_output=True)
    page.wait_for_function(f"/\\b{n + 1} articles/.test(document.body.innerText)", timeout=30000)
    assert counts(page) != before
    # the table is drawn again with the filter typed into it kept
    page.locator("#library").get_by_text("lighthouse-keeper.txt").locator("visible=true").first.wait_for(timeout=30000)
    assert page.locator("#library-find textarea").input_value() == "lighthouse"


def test_a_pdf_cards_reference_opens_the_file_at_the_hits_page_and_nothing_else_is_served(page, tmp_path,
                                                                                          app_url):
    from test_pdf import write_pdf

    f = tmp_path / "locks.pdf"
    first = [("para", f"In week {w} the canal authority inspected lock {w} and logged {w * 3} faults.")
             for w in range(1, 25)]
    second = [("para", f"Barge {b} passed the weir at Keel on day {b} with a load of timber.") for b in range(1, 25)]
    second[12] = ("para", "The lock gates at Marlow were painted green in May.")
    write_pdf(f, [[first], [second]])
    assert "embedded 1" in upload(page, f)
    page.get_by_role("tab", name="Ask").click()
    ask(page, "What colour were the lock gates at Marlow painted?")
    first = page.locator("#results .qa-card").first
    assert first.locator(".qa-ref").inner_text().endswith("uploads/locks.pdf:p2")
    link = first.locator("a.qa-file")
    href = link.get_attribute("href")
    assert href.endswith("/uploads/locks.pdf#page=2") and link.get_attribute("target") == "_blank"
    served = page.request.get(urllib.parse.urljoin(app_url, href.split("#")[0]))
    assert served.status == 200 and served.headers["content-type"] == "application/pdf"
    assert served.body() == f.read_bytes()
    # only the PDFs cards name are served: not the index beside them, nor other files
    catalog = APP_INDEX[app_url] / "catalog.sqlite"
    for other in (catalog, Path("/etc/hostname")):
        assert page.request.get(urllib.parse.urljoin(app_url, f"gradio_api/file={other}")).status == 403
    # a file that cannot be read is named, and not kept among the uploads to be named again
    page.reload()  # the upload box keeps the files chosen before
    page.wait_for_selector("#question textarea", timeout=60000)
    broken = tmp_path / "torn.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    said = upload(page, broken)
    assert "torn.pdf: a damaged PDF" in said and said.endswith("as they could not be read: torn.pdf"), said
    assert not (APP_INDEX[app_url] / "uploads" / "torn.pdf").exists() and broken.exists()
