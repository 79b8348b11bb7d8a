"""The Gradio web UI, built only on the public ``qa`` API."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from typing import Any

from . import notices, render
from .archive import ARCHIVES, is_archive_name, unpack
from .errors import QAError
from .indexdir import UPLOADS
from .library import Library
from .pagelink import TO_ADDRESS_JS, asked
from .phrases import notice as unquoted
from .readers import EXTENSIONS
from .sourcelist import library_rows
from .types import BZIPPED, GZIPPED, is_pdf
from .uploads import store_uploads, unkept

SAMPLE_QUESTIONS = [
    "How many dockworkers went on strike?",
    "Who won the marathon?",
    "Can microbes eat plastic foam?",
    "How will people cross the river while the bridge is closed?",
    "Why is there a hosepipe ban?",
]
# A card's "Similar articles" button; a "Did you mean" link asks its question with the options
# the address holds (the page asks what its address says as it opens).
_SIMILAR_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button.qa-similar');
  if (button) { window.qaSimilarTarget = button.dataset.article; trigger('click'); }
  const fix = event.target.closest('a.qa-suggest');
  if (fix) {
    event.preventDefault();
    const url = new URL(window.location.href);
    url.searchParams.set('q', fix.dataset.question);
    window.location.assign(url);
  }
});
"""

# Only what the user confirms goes; the article files themselves are not touched (uploads are
# the index's own copies).
_CONFIRM_REMOVE = ("(source, find) => [source && window.confirm(`Remove the articles of ${source} from the index? ${"
                   "source.endsWith('/') ? 'Your files stay where they are' : 'Your file stays where it is'}; "
                   "index it again to bring them back.`) ? source : '', find]")

# The similar articles appear below the hits, out of sight on a laptop screen: bring them up.
_SCROLL_TO_SIMILAR = ("() => document.getElementById('similar-results')"
                      "?.scrollIntoView({behavior: 'smooth', block: 'start'})")


# What a Library row adds to the source it names.
_ROW_NOTE = re.compile(r" \((?:file not found|uploaded archive, \d+ files?|[\d,]+ files)\)$")
FOLLOW_EVERY = 5  # seconds between an open page's looks at the index (a stat each)
LIBRARY_ROWS = 1000  # a library of more files is listed by folder, as qa info lists one


def _row(source: str, n: int, first: str | None, last: str | None, title: str) -> list:
    dates = "" if not first else first if first == last else f"{first} – {last}"
    # A long path breaks after a folder's separator, not inside a name ('async_hooks.json.g|z').
    shown = render.html.escape(source).replace(os.sep, os.sep + "<wbr>")
    return [shown, n, dates, title if n == 1 else f"{title} (+{n - 1} more)"]


def _source_of(cell: str) -> str:
    """The source a Library row's first cell shows (its HTML: breaks, escapes, a note)."""
    return _ROW_NOTE.sub("", render.html.unescape(cell.replace("<wbr>", "")))


def _shown_path(path: str) -> str:
    """``path`` relative to the working folder when it lies under it, as a user who indexed
    the other articles from there wrote theirs: an upload's reference reads
    ``index/default/uploads/notes.md``, not the server's absolute path."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _filters(source: str, date_from: str, date_to: str, tags: str | list[str] | None = None,
             author: str | None = None) -> dict[str, Any]:
    if isinstance(tags, str):  # the API's "a, b"
        tags = tags.split(",")
    return {"source": (source or "").strip() or None, "date_from": (date_from or "").strip() or None,
            "date_to": (date_to or "").strip() or None, "tags": [t.strip() for t in tags or () if t.strip()],
            "author": (author or "").strip() or None}


def build_ui(lib: Library, examples: list[str] | None = None):
    import gradio as gr

    uploads = os.path.join(lib.path, UPLOADS)

    def status() -> str:
        i = lib.info()
        kind = i.index_kind + (f", recall@10 {i.ann['recall_at_10']:.2f}" if i.ann else "")
        language = i.settings.get("language", "english")  # its words' stemmer (qa index --language)
        return (f"**{i.articles}** articles · **{i.passages}** passages · model `{i.model}` "
                f"({i.backend}) · index `{kind}`" + (f" · words in {language}" if language != "english" else ""))

    def served_pdfs(hits) -> dict[str, str]:
        """The PDFs the hits come from, by article id: the address Gradio serves each at, so a
        card's reference opens it at the hit's page. Gradio is let serve those files, each by its
        own path (never their folder), and only while they are indexed PDFs that exist."""
        from urllib.parse import quote

        out: dict[str, str] = {}
        for h in hits:
            if not is_pdf(h.source) or h.article_id in out:
                continue
            found = lib.catalog.article_path(h.article_id)  # not its text: a book's is megabytes
            path = os.path.realpath(found) if found else ""
            if os.path.isfile(path) and is_pdf(path):
                if path not in demo.allowed_paths:
                    demo.allowed_paths.append(path)
                out[h.article_id] = "gradio_api/file=" + quote(path)
        return out

    def ask_ui(question, k, mode, source, date_from, date_to, per_article=1, tags=None, author=None):
        if not (question or "").strip():
            return notices.message("Type a question first.")
        filters, k, per_article = _filters(source, date_from, date_to, tags, author), int(k), int(per_article)
        try:
            hits = lib.ask(question, k=k, mode=mode, filters=filters, per_article=per_article)
            # Fewer cards than asked for, one per article (a library of one long document):
            # say so if the articles hold more passages that answer.
            more = 0
            if len(hits) < k and per_article < k:
                more = len(lib.ask(question, k=k, mode=mode, filters=filters, per_article=k, highlights=False))
            around = {h.passage_id: lib.around(h.passage_id) for h in hits}  # folded on each card
        except QAError as exc:
            return notices.message(str(exc), "error")
        if not hits:
            fixed = lib.did_you_mean(question)
            return ((notices.suggestion(fixed) if fixed else "")
                    + notices.message("No passage matches. Try other words, another mode, or fewer filters."))
        cards = render.hit_cards(hits, mode, served_pdfs(hits), around)
        analyzer = lib.lexicon.analyzer
        first = (unquoted(question, hits, analyzer) or notices.common_words_notice(question, analyzer.stopwords)
                 or notices.language_notice(question, hits, analyzer.language))
        notice = notices.per_article_notice(hits, more, "raise “Passages per article” under Options and filters")
        fixed = lib.did_you_mean(question)
        return ((notices.suggestion(fixed) if fixed else "") + (notices.message(first) if first else "") + cards
                + (notices.message(notice) if notice else ""))

    def similar_ui(article_id, k=5):
        if not article_id:
            return gr.skip()
        try:
            hits = lib.similar(article_id, k=int(k))
            title = lib.article(article_id)["title"]
        except QAError as exc:
            return notices.message(str(exc), "error")
        return render.article_cards(hits, f"Articles similar to “{title}”", served_pdfs(hits))

    def ask_api(question: str, k: int = 5, mode: str = "hybrid", source: str = "",
                date_from: str = "", date_to: str = "", per_article: int = 1, tags: str = "",
                author: str = "") -> list[dict]:
        """Ask a question; returns the hits with all qa.Hit fields. ``tags``: "a, b", articles with all;
        ``author``: articles whose author contains it."""
        hits = lib.ask(question, k=int(k), mode=mode, filters=_filters(source, date_from, date_to, tags, author),
                       per_article=int(per_article))
        return [h.to_dict() for h in hits]

    def similar_api(article_id: str = "", text: str = "", k: int = 5) -> list[dict]:
        """Articles similar to an article (id or FILE:LINE reference), or to a text; qa.ArticleHit fields."""
        if article_id:
            return [h.to_dict() for h in lib.similar(article_id, k=int(k))]
        return [h.to_dict() for h in lib.similar(text=text, k=int(k))]

    def find_titles(part):
        rows = lib.find_articles(part or "", limit=50)
        choices = [(f"{t}  ({os.path.basename(s)})", a) for a, t, s in rows]
        return gr.update(choices=choices, value=choices[0][1] if choices else None)

    def similar_tab(article_id, text, file, k):
        try:
            if file:  # read as indexing would read it, not added to the index
                hits = lib.similar_to_file(file, k=int(k))
                return render.article_cards(hits, f"Articles similar to {os.path.basename(file)}", served_pdfs(hits))
            if (text or "").strip():
                hits = lib.similar(text=text, k=int(k))
                return render.article_cards(hits, "Articles similar to the pasted text", served_pdfs(hits))
            if article_id:
                return similar_ui(article_id, k)
            return notices.message("Pick an article by title, paste some text, or choose a file.")
        except QAError as exc:
            return notices.message(str(exc), "error")

    def add_files(files, find, progress=gr.Progress()):  # noqa: B008 - how Gradio injects progress
        if not files:
            return notices.message("Choose one or more files first."), gr.skip(), gr.skip(), gr.skip()
        paths = [f if isinstance(f, str) else f.name for f in files]
        progress(0, desc="copying files")
        archives = [p for p in paths if is_archive_name(p)]
        unpacked = []
        try:
            for path in archives:  # an export's folders are what its reader needs
                done = unpack(path, uploads)
                unpacked.append(dataclasses.replace(done, folder=_shown_path(done.folder)).line(os.path.basename(path)))
            stored = store_uploads([p for p in paths if p not in archives], uploads)
            summary = lib.update([_shown_path(uploads)], progress=False,
                                 on_progress=lambda d, t, m: progress(d / max(t, 1), desc=m))
        except QAError as exc:
            return notices.message(" ".join([*unpacked, str(exc)]), "error"), gr.skip(), gr.skip(), gr.skip()
        text = "\n".join(unpacked + summary.lines() + unkept(stored, summary.skipped, lib.catalog.holds))
        # the files chosen go once added: left in the box, the next add would upload them again
        return f'<pre class="qa-summary">{render.html.escape(text)}</pre>', status(), library_table(find), None

    def pick_source(evt):
        return _source_of((evt.row_value or [""])[0])

    # Gradio passes the selection to a parameter annotated with its class; this module's
    # annotations are strings it cannot resolve (gradio is imported here, not at the top).
    pick_source.__annotations__["evt"] = gr.SelectData

    def remove_source(source, find):
        source = (source or "").strip()
        paths = lib.catalog.paths_of(source) if source else []
        if not paths:
            return (notices.message("Nothing removed: click a source's row in the table, then confirm."),
                    gr.skip(), gr.skip())
        try:
            summary = lib.remove(paths, progress=False)
        except QAError as exc:
            return notices.message(str(exc), "error"), gr.skip(), gr.skip()
        # An upload is the index's own copy: left there, the next upload would add it back.
        copies = [p for p in paths if os.path.realpath(p).startswith(os.path.realpath(uploads) + os.sep)
                  and os.path.isfile(p)]
        for path in copies:
            os.remove(path)
            folder = os.path.dirname(os.path.realpath(path))
            while folder != os.path.realpath(uploads) and not os.listdir(folder):  # an archive's, emptied
                os.rmdir(folder)
                folder = os.path.dirname(folder)
        archive = os.path.realpath(source)
        if os.path.dirname(archive) == os.path.realpath(uploads) and os.path.isdir(archive):
            shutil.rmtree(archive)  # an unpacked archive, removed whole: its users.json and the rest too
        text = "\n".join(summary.removal_lines([source])
                         + (["its uploaded copy was deleted too"] if copies else []))
        return f'<pre class="qa-summary">{render.html.escape(text)}</pre>', status(), library_table(find)

    def current(find=""):
        lib.refresh()  # a generation another process (qa index) published since
        return status(), library_table(find)

    def follow(shown, find=""):
        """The page's counts, library and filter lists drawn again when the index is not the
        generation they show (``shown``): a --watch round, `qa index` in another terminal,
        another page's upload. Nothing is sent when it is."""
        lib.refresh()
        now = lib.generation
        if shown == now:
            return [gr.skip()] * 5
        return [now, *current(find), *tag_choices()]

    def tag_list():
        """The filter's tags, with how many articles have each."""
        return [(f"{tag} ({n})", tag) for tag, n in lib.catalog.tag_counts()]

    def tag_choices():  # an update (a component made outside the page's layout is not shown)
        return gr.Dropdown(choices=tag_list()), gr.Dropdown(choices=author_list())

    def author_list():
        """The filter's authors, with how many articles each wrote (the first 500)."""
        return [(f"{name} ({n})", name) for name, n in lib.catalog.author_counts()[:500]]

    def library_table(find: str = ""):
        paths = lib.catalog.source_paths()
        sources = lib.catalog.source_rows()
        # Kept by updates of other folders (a drive not mounted): the file may be gone for good.
        missing = {src for src, *_ in sources if src in paths and not os.path.exists(paths[src])}
        titled = lib.catalog.sources_titled(find.strip()) if find and find.strip() else set()
        return [_row(*row) for row in library_rows(sources, missing, os.path.join(_shown_path(uploads), ""),
                                                   find or "", LIBRARY_ROWS, titled)]

    with gr.Blocks(title="article-qa") as demo:
        gr.Markdown("# article-qa\nAsk your articles; every answer comes with its source.")
        status_md = gr.Markdown(status())
        with gr.Tab("Ask"):
            with gr.Row():
                question = gr.Textbox(label="Question", placeholder="Ask something about your articles",
                                      info='Words in "quotes": passages holding them side by side; '
                                           "-word: passages holding it left out",
                                      scale=6, elem_id="question", autofocus=True)
                ask_btn = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
            if examples:
                gr.Examples(examples, inputs=[question], label="Examples")
            with gr.Accordion("Options and filters", open=False):
                with gr.Row():
                    k = gr.Slider(1, 20, value=5, step=1, label="Results (k)")
                    mode = gr.Radio(["hybrid", "dense", "lexical"], value="hybrid", label="Mode")
                    # More than one from an article: a library of a few long documents (a book)
                    per_article = gr.Slider(1, 10, value=1, step=1, label="Passages per article",
                                            elem_id="per-article")
                with gr.Row():
                    source = gr.Textbox(label="Source (glob or folder)",
                                        placeholder="*.md, */science.jsonl or notes/2024")
                    date_from = gr.Textbox(label="Date from", placeholder="YYYY-MM-DD")
                    date_to = gr.Textbox(label="Date to", placeholder="YYYY-MM-DD")
                    # Front matter and #tags; several: articles with all of them.
                    tags = gr.Dropdown(label="Tags", multiselect=True, allow_custom_value=True,
                                       choices=tag_list(), elem_id="tags")
                    # A part of a name or address may be typed: it matches every author holding it
                    author = gr.Dropdown(label="Author", choices=author_list(), value=None,
                                         allow_custom_value=True, elem_id="author")
            results = gr.HTML(elem_id="results", js_on_load=_SIMILAR_JS)
            similar_out = gr.HTML(elem_id="similar-results")
            target = gr.Textbox(visible="hidden", elem_id="similar-target")
            inputs = [question, k, mode, source, date_from, date_to, per_article, tags, author]

            def ask_and_clear(*args):  # similar articles of an earlier question's hit go
                return ask_ui(*args), ""

            for asking in (ask_btn.click, question.submit):  # the address then holds the question
                asking(ask_and_clear, inputs, [results, similar_out], api_visibility="private", js=TO_ADDRESS_JS)

            def from_address(request):  # /?q=...: the question asked as the page opens
                values = asked(request.query_params) if request is not None else None
                return [gr.skip()] * (len(inputs) + 1) if values is None else [*values, ask_ui(*values)]

            # Gradio passes the request to a parameter annotated gr.Request; gradio is imported
            # here, not at the module's top, so the annotation is the class itself, not a string.
            from_address.__annotations__["request"] = gr.Request

            demo.load(from_address, None, [*inputs, results], api_visibility="private")
            results.click(similar_ui, [target], similar_out, api_visibility="private",
                          js="() => [window.qaSimilarTarget || '']").then(
                None, js=_SCROLL_TO_SIMILAR)
        with gr.Tab("Similar articles"):
            with gr.Row():
                title_part = gr.Textbox(label="Find an article by title", scale=3)
                picked = gr.Dropdown(label="Article", choices=[], scale=4, elem_id="pick-article")
            with gr.Row():
                pasted = gr.Textbox(label="…or paste text", lines=4, scale=3)
                compared = gr.File(label="…or a file (compared, not added)", file_types=list(EXTENSIONS), scale=2,
                                   elem_id="similar-file")
            sim_k = gr.Slider(1, 20, value=5, step=1, label="How many")
            sim_btn = gr.Button("Find similar articles", variant="primary", elem_id="find-similar")
            sim_results = gr.HTML(elem_id="similar-tab-results")
            title_part.change(find_titles, title_part, picked, api_visibility="private")
            sim_btn.click(similar_tab, [picked, pasted, compared, sim_k], sim_results, api_visibility="private")
        with gr.Tab("Add articles"):
            kinds = " ".join(e for e in EXTENSIONS if e not in (".markdown", ".htm", ".asciidoc", *GZIPPED, *BZIPPED))
            gr.Markdown(f"Upload `{kinds}` files (most also gzipped, `README.md.gz`; "
                        f"a wiki's `.xml` dump also gzipped or as Wikipedia's `.xml.bz2`), "
                        f"or a `.zip` or `.tar.gz` of them (an export: Slack, Notion, "
                        f"Takeout; a mail folder such as Thunderbird's, whose mailboxes have no "
                        f"extension), unpacked with its folders. They are copied into "
                        f"`{uploads}` and indexed incrementally.")
            files = gr.File(file_count="multiple", file_types=[*EXTENSIONS, *ARCHIVES], label="Files",
                            elem_id="upload")
            add_btn = gr.Button("Add to index", variant="primary", elem_id="add")
            add_out = gr.HTML(elem_id="add-summary")
        with gr.Tab("Library"):
            # Searched here, not in the table: a big library's table lists folders, not files.
            find = gr.Textbox(label="Find", placeholder="part of a file's path or title", elem_id="library-find")
            table = gr.Dataframe(headers=["source", "articles", "dates", "title"], value=library_table(),
                                 interactive=False, elem_id="library", datatype=["html", "number", "str", "str"],
                                 column_widths=["29%", "11%", "21%", "39%"], wrap=True)
            with gr.Row():
                chosen = gr.Textbox(label="Source (click a row to choose it, or name a folder)", scale=4,
                                    elem_id="chosen-source")
                remove_btn = gr.Button("Remove from index", variant="stop", scale=1, elem_id="remove-source")
                refresh = gr.Button("Refresh", scale=1)
            removed = gr.HTML(elem_id="remove-summary")
            table.select(pick_source, None, chosen, api_visibility="private")
            find.change(library_table, [find], [table], api_visibility="private", trigger_mode="always_last")
            changes = [refresh.click(current, [find], [status_md, table], api_visibility="private"),
                       remove_btn.click(remove_source, [chosen, find], [removed, status_md, table],
                                        api_visibility="private", js=_CONFIRM_REMOVE)]
        changes.append(add_btn.click(add_files, [files, find], [add_out, status_md, table, files], api_visibility="private"))
        # The page's first values are those of the server's start: a page opened (or reloaded)
        # later shows the index as it is now, and an open page follows it.
        shown = gr.State(None)
        drawn = [shown, status_md, table, tags, author]
        demo.load(follow, [shown, find], drawn, api_visibility="private")
        gr.Timer(FOLLOW_EVERY).tick(follow, [shown, find], drawn, api_visibility="private", show_progress="hidden")
        for change in changes:  # the filter's tags follow what the index holds
            change.then(tag_choices, None, [tags, author], api_visibility="private")
        gr.api(ask_api, api_name="ask")
        gr.api(similar_api, api_name="similar")
    return demo

