"""reStructuredText read as the Markdown its page shows, line for line."""

from __future__ import annotations

import re

import qa
from qa.readers import ReadStats, read_articles
from qa.render import marked_passage
from qa.rst import as_markdown

DOC = """\
.. _install:

==============
Crane Software
==============

Installation
============

Install it with pip_ or read the `guide <https://crane.example/guide>`_.
Call :func:`~crane.lift` with ``__init__`` arguments; see :ref:`the setup <setup-label>`.

.. code-block:: python
   :linenos:

   import crane
   crane.lift(40)

.. note:: The crane stops
   at forty tonnes.

Example::

    $ crane --check
    ok

Usage
-----

.. toctree::
   :maxdepth: 2

   usage

.. [1] Measured at the harbour.

The crane lifts containers from the quay.

.. code-block:: sh

   crane --version"""


def test_titles_code_notes_and_roles_as_markdown_line_for_line():
    lines = as_markdown(DOC).split("\n")
    source = DOC.split("\n")
    assert len(lines) == len(source) + 1  # the closing fence of the code at the very end
    assert lines[:9] == ["", "", "", "# Crane Software", "", "", "## Installation", "", ""]
    assert lines[9] == "Install it with pip or read the [guide](https://crane.example/guide)."
    assert lines[10] == "Call `crane.lift` with ``__init__`` arguments; see the setup."
    assert lines[12:18] == ["", "", "```python", "   import crane", "   crane.lift(40)", "```"]
    assert lines[18:20] == ["**Note:** The crane stops", "at forty tonnes."]
    assert lines[21:26] == ["Example:", "```", "    $ crane --check", "    ok", "```"]
    assert as_markdown("It lists the quays. ::\n\n    quays --all\n").split("\n")[:2] == ["It lists the quays.", "```"]
    assert lines[26] == "### Usage" and lines[29:34] == [""] * 5  # the toctree is no text
    assert lines[source.index(".. [1] Measured at the harbour.")] == "[1] Measured at the harbour."
    assert lines[-4:] == ["", "```sh", "   crane --version", "```"]


def test_an_rst_file_reads_with_its_sections_and_code(tmp_path, fake):
    (tmp_path / "crane.rst").write_text(DOC, encoding="utf-8")
    stats = ReadStats()
    [doc] = read_articles([str(tmp_path)], stats)
    assert not stats.skipped and doc.title == "Crane Software" and doc.line_start == 4
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False)
    [usage] = lib.ask("containers quay", k=1, mode="lexical")
    # The passage opens under "Installation"; its answer is in the subsection "Usage".
    assert usage.markup == "markdown" and usage.section == ("Installation", "Usage")
    line = DOC.split("\n").index("The crane lifts containers from the quay.") + 1
    assert usage.line_start <= line <= usage.line_end  # the file's own lines
    [install] = lib.ask("import crane lift", k=1, mode="lexical")
    shown = marked_passage(install)
    assert re.search(r'<pre class="qa-code">(<mark[^>]*>)?   import crane(</mark>)?\n   crane.lift\(40\)</pre>', shown)
    assert "<strong>Note:</strong> The crane stops" in shown and ":func:" not in shown and "<code>crane.lift</code>" in shown


def test_api_entries_keep_their_signature_and_text_other_directives_their_text():
    doc = ("Paths\n=====\n\n.. function:: join(path, *paths)\n   :noindex:\n\n   Join one or more path segments.\n\n"
           ".. py:class:: Harbour(name)\n\n   A harbour and its quays.\n\n.. only:: html\n\n   Shown on the web page.\n\n"
           ".. automodule:: crane\n   :members:\n\n.. figure:: crane.png\n\n   The crane at dawn.\n")
    lines = as_markdown(doc).split("\n")
    assert lines[3:7] == ["`join(path, *paths)`", "", "", "Join one or more path segments."]
    assert lines[8] == "`Harbour(name)`" and lines[10] == "A harbour and its quays."
    assert lines[12] == "" and lines[14] == "Shown on the web page."
    assert lines[16:18] == ["", ""] and lines[19] == "" and lines[21] == "The crane at dawn."


def test_version_notes_read_as_sphinx_shows_them_and_a_parsed_literal_as_its_text():
    """CMake's docs: ``.. versionadded:: 3.22`` read "Versionadded: 3.22" in every card, and a
    synopsis written as a parsed literal kept its link markup (`` `Run Tests`_ ``, ``file(`READ`_ ...)``)."""
    doc = ("Crane\n=====\n\n.. versionadded:: 3.22\n\nThe crane lifts.\n\n.. versionchanged:: 3.8 It stops at 40 t.\n\n"
           ".. deprecated:: 2.0\n   Use :command:`ferry`.\n\n.. admonition:: Watch the tide\n\n   It turns.\n\n"
           ".. parsed-literal::\n\n `Run Tests`_\n  crane(`LIFT`_ <load> [**FAST**])\n  crane(`\\<HASH\\> <HASH_>`_ <f>) "
           "from :ref:`the quay <q>`\n  crane --bay BAY_ *load*\n\nAfter.")
    lines = as_markdown(doc).split("\n")
    assert lines[3] == "**New in version 3.22.**" and lines[5] == "The crane lifts."
    assert lines[7] == "**Changed in version 3.8:** It stops at 40 t."
    assert lines[9:11] == ["**Deprecated since version 2.0:**", "Use `ferry`."]
    assert lines[12] == "**Watch the tide:**" and lines[14] == "It turns."
    assert lines[16:24] == ["", "```", " Run Tests", "  crane(LIFT <load> [FAST])", "  crane(<HASH> <f>) from the quay",
                            "  crane --bay BAY_ load", "```", "After."]


def test_a_containers_body_is_read_as_a_document_of_its_own_line_for_line():
    """A tab (sphinx-tabs, sphinx-design) holding a code block and a project's own directive:
    its body's lines were shown as prose, ``.. code-block:: shell`` and all (pip's docs)."""
    doc = ("Usage\n=====\n\n.. tab:: Unix/macOS\n   :sync: unix\n\n   .. pip-command-usage:: cache \"python -m pip\"\n\n"
           "   .. code-block:: shell\n\n      python -m pip cache dir\n\n   Then see :ref:`the guide <g>`.\n\n"
           ".. tab:: Windows\n\n   .. code-block:: shell\n\n      py -m pip cache dir\n\nAfter the tabs.\n\n"
           ".. tab:: Last\n\n   .. code-block:: shell\n\n      pip cache purge")
    lines = as_markdown(doc).split("\n")
    assert lines[:14] == ["# Usage", "", "", "", "", "", "", "", "", "```shell", "   python -m pip cache dir", "```",
                          "Then see the guide.", ""]
    assert lines[14:21] == ["", "", "", "```shell", "   py -m pip cache dir", "```", "After the tabs."]
    # a code block ending the file is closed on a line after the last, as at the top
    assert lines[21:] == ["", "", "", "", "```shell", "   pip cache purge", "```"] and len(lines) == doc.count("\n") + 2


def test_a_pelican_posts_fields_are_its_metadata_not_its_text(tmp_path):
    (tmp_path / "dredging.rst").write_text(
        ".. _dredging:\n\nDredging resumes\n################\n\n:date: 2024-03-05 10:20\n:tags: harbour, dredging\n"
        ":authors: Ann Lee\n:summary: The dredger is back,\n    for six weeks.\n\nThe dredger returned on Monday.\n\n"
        "Later\n=====\n\n:note: a field list in the text is text.\n", encoding="utf-8")
    stats = ReadStats()
    [post] = read_articles([str(tmp_path)], stats)
    assert (post.title, post.date, post.tags, post.author) == ("Dredging resumes", "2024-03-05", ("harbour", "dredging"),
                                                             "Ann Lee")
    assert post.metadata["summary"] == "The dredger is back, for six weeks."
    assert ":date:" not in post.text and "The dredger returned on Monday." in post.text
    assert ":note: a field list in the text is text." in post.text and not stats.skipped


def test_a_txt_file_written_in_rst_reads_as_rst_and_articles_in_a_txt_file_stay_articles(tmp_path):
    """Django's and CMake's documentation sources are ``.txt`` files in reStructuredText: read as
    blocks, a CMake fragment's ``.. option:: -S <path-to-source>`` was an article of its own, its
    text another, the markup shown as written."""
    (tmp_path / "options.txt").write_text(
        ".. option:: -S <path-to-source>\n\n Path to the crane's source.\n\n.. option:: -B <path-to-build>\n\n"
        " Path to the build, made if missing. See :variable:`CRANE_HOME`.\n", encoding="utf-8")
    (tmp_path / "quays.txt").write_text(
        "=====\nQuays\n=====\n\nThe quays take ships of 40 t.\n\nMooring\n=======\n\n.. code-block:: python\n\n   moor(ship)\n\n"
        "See :doc:`ships` and :ref:`tides`.\n", encoding="utf-8")
    (tmp_path / "news.txt").write_text(
        "Dock strike ends\nThe dockworkers went back on Monday. Read the notes: note:`x` at 10:30.\n\n"
        "Ferry resumes\nThe ferry runs again.. it said. Times: 7:00 and 9:00.\n", encoding="utf-8")
    stats = ReadStats()
    articles = {a.source.rsplit("/", 1)[1]: a for a in read_articles([str(tmp_path)], stats)}
    assert not stats.skipped
    news = [a for a in read_articles([str(tmp_path / "news.txt")], ReadStats())]
    # a .txt of articles, as it was
    assert [(a.text.split("\n")[0], a.markup) for a in news] == [("Dock strike ends", None), ("Ferry resumes", None)]
    options, quays = articles["options.txt"], articles["quays.txt"]
    assert options.markup == quays.markup == "markdown"
    assert options.text.split("\n")[:3] == ["`-S <path-to-source>`", "", "Path to the crane's source."]
    assert "See `CRANE_HOME`." in options.text and ".. option" not in options.text
    assert quays.title == "Quays" and "```python" in quays.text and "See ships and tides." in quays.text


def test_a_page_holding_only_a_directive_says_why_it_gave_nothing(tmp_path):
    (tmp_path / "UseCrane.rst").write_text(".. cmake-module:: ../../Modules/UseCrane.cmake\n", encoding="utf-8")
    stats = ReadStats()
    assert list(read_articles([str(tmp_path)], stats)) == []
    assert [s.reason for s in stats.skipped] == ["no text in it (after its fields, comments and directives that show no text)"]


def test_a_definition_lists_term_reads_as_the_label_of_its_definition():
    """CMake's options and JSON members (``paths`` over "A JSON object...") read "`paths` A JSON
    object" in cards and sentences; Sphinx shows the term above its definition."""
    doc = ("Members\n=======\n\n``paths``\n    A JSON object with the paths.\n\n    It has members for cmake.\n"
           "``98``\n  C++98, the oldest.\n\nDone.\n  A term with its stop gets no colon.\n\n* A bullet\n  wraps here.\n\n"
           ":field: a field\n   goes on.\n\nAlready ends:\n  so no colon is added.\n\nA paragraph\nof two lines.\n")
    lines = as_markdown(doc).split("\n")
    assert lines[3:6] == ["``paths``:", "    A JSON object with the paths.", ""]
    assert lines[7:9] == ["``98``:", "  C++98, the oldest."]  # after the definition before it, no blank line
    assert lines[10] == "Done." and lines[13:15] == ["* A bullet", "  wraps here."]
    assert lines[16] == ":field: a field" and lines[19] == "Already ends:" and lines[22:24] == ["A paragraph", "of two lines."]
