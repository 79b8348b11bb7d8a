"""Jupyter notebooks: Markdown and code cells, referenced by the lines of their sources in the file (qa.notebook)."""

from __future__ import annotations

import json

import qa
from qa.readers import ReadStats, read_articles
from qa.types import markup_of

CELLS = [
    {"cell_type": "markdown", "metadata": {}, "source": [
        "# Silt in the inner basin\n", "\n", "We look at **how fast** silt returns after dredging.\n", '<img src="x.png"/>']},
    {"cell_type": "code", "execution_count": 1, "metadata": {},
     "outputs": [{"name": "stdout", "output_type": "stream", "text": ["12400 cubic metres of output\n"]},
                 {"name": "stderr", "output_type": "stream", "text": ["DeprecationWarning: read_csv\n"]},
                 {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                  "data": {"text/html": ["<table><tr><td>basin</td></tr></table>"],
                           "text/plain": ["   basin  m3\n", "0  inner  9100"]}},
                 {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo="}},
                 {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": ["**Fastest**: the lock gates"]}},
                 {"name": "stdout", "output_type": "stream",
                  "text": ["\x1b[32mdone\x1b[0m\n", " 10%|#  |\r100%|###|\n"] + [f"epoch {i}\n" for i in range(60)]},
                 {"output_type": "error", "ename": "KeyError", "evalue": "'m4'", "traceback": ["KeyError: 'm4'"]}],
     "source": ["import pandas as pd\n", 'silt = pd.read_csv("silt.csv")\n', "print(silt.m3.sum())"]},
    {"cell_type": "raw", "metadata": {}, "source": ["raw cell text"]},
    {"cell_type": "markdown", "metadata": {}, "source": [
        "## Result\n", "\n", "The basin lost 3 cm of depth a year, fastest near the lock gates."]},
    {"cell_type": "markdown", "metadata": {}, "source": "A source in one string\nover two lines"},
]
META = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python", "version": "3.11"}, "authors": [{"name": "Ann Lee"}]}


def write(path, cells=CELLS, meta=META) -> str:
    """As Jupyter saves a notebook: JSON indented by one, a line of source a line of the file."""
    text = json.dumps({"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, what: str) -> int:
    return text[:text.index(what)].count("\n") + 1


def test_a_notebook_is_its_markdown_and_code_at_the_lines_of_their_sources(tmp_path):
    raw = write(tmp_path / "silt.ipynb")
    stats = ReadStats()
    [article] = read_articles([str(tmp_path / "silt.ipynb")], stats)
    assert stats.skipped == []
    lines = article.text.split("\n")
    assert [line.strip() for line in lines] == [
        "# Silt in the inner basin", "", "We look at **how fast** silt returns after dredging.", "",  # a picture
        "", "```python", "import pandas as pd", 'silt = pd.read_csv("silt.csv")', "print(silt.m3.sum())", "```",
        # what it printed and showed as text, a log's first lines: not stderr, pictures, HTML, errors
        "", "```", "12400 cubic metres of output", "```", "", "```", "basin  m3", "0  inner  9100", "```",
        "", "**Fastest**: the lock gates", "", "```", "done", "100%|###|", *(f"epoch {i}" for i in range(38)), "```",
        "", "## Result", "", "The basin lost 3 cm of depth a year, fastest near the lock gates.",
        "", "A source in one string", "over two lines"]  # no raw cell
    assert (article.title, article.author, article.metadata, markup_of(article.source, article.markup)) == (
        "Silt in the inner basin", "Ann Lee", {"language": "python"}, "markdown")

    def line_at(offset: int) -> int:
        return max(n for at, n in article.line_anchors if at <= offset)

    for shown, in_file in (("# Silt", '"# Silt'), ("We look", '"We look'), ("import pandas", '"import pandas'),
                           ("print(silt", '"print(silt'), ("## Result", '"## Result'), ("The basin", '"The basin'),
                           ("A source in one string", '"source": "A source'), ("over two lines", '"source": "A source'),
                           # outputs below their code, at its last line: the file has them above it
                           ("12400 cubic", '"print(silt'), ("0  inner", '"print(silt'), ("epoch 37", '"print(silt')):
        assert line_at(article.text.index(shown)) == line_of(raw, in_file), shown


def test_notebooks_that_are_not_or_hold_no_text_are_reported_and_one_answers_with_its_lines(tmp_path, fake):
    raw = write(tmp_path / "silt.ipynb")
    (tmp_path / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (tmp_path / "old.ipynb").write_text(json.dumps({"worksheets": [], "nbformat": 3}), encoding="utf-8")
    write(tmp_path / "outputs.ipynb", cells=[{"cell_type": "code", "metadata": {}, "outputs": [], "source": []}])
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False, chunk_tokens=24)
    why = {s.path.rsplit("/", 1)[1]: s.reason.split(" (")[0] for s in lib.last_summary.skipped}
    assert why == {"broken.ipynb": "not a readable Jupyter notebook",
                   "old.ipynb": "not a readable Jupyter notebook",
                   "outputs.ipynb": "no text in the notebook"}
    [hit] = lib.ask("where was it fastest? near the lock gates", k=1, mode="lexical")
    assert hit.line_start <= line_of(raw, '"The basin') <= hit.line_end
    [printed] = lib.ask("cubic metres of output", k=1, mode="lexical")  # what the code printed is read
    assert printed.line_start <= line_of(raw, '"print(silt') <= printed.line_end
    assert not lib.ask("DeprecationWarning KeyError", k=3, mode="lexical")  # warnings and errors are not
