"""MyST Markdown's admonitions, containers and roles as the page shows them (qa.myst), and
code fences' own lines never highlighted (qa.highlight)."""

from __future__ import annotations

import qa
from qa.myst import myst_page
from qa.readers import ReadStats, read_articles

PAGE = """# Caching

Many projects use {file}`requirements.txt` files; see {ref}`the guide <install-guide>`, not `{x}`code`.

```{versionchanged} 20.0
pip now caches wheels built from an immutable Git reference.
```

## Where is the cache stored

```{caution}
The exact layout of the cache is an implementation detail.
```

````{tab} Linux
:sync: linux
```{code-block} console
$ pip cache dir {file}`~/.cache`
```
The cache lives under the XDG cache directory.
````

```{note}
---
class: tip
---
Clear it with pip cache purge.
```

```{toctree}
:maxdepth: 1
install
```
"""


def test_admonitions_and_containers_read_as_labelled_text_and_roles_as_their_text():
    out = myst_page(PAGE).split("\n")
    assert len(out) == len(PAGE.split("\n"))  # line for line: references stay the file's
    assert out[2] == "Many projects use `requirements.txt` files; see the guide, not `{x}`code`."
    assert out[4:7] == ["Changed in version 20.0:", "pip now caches wheels built from an immutable Git reference.", ""]
    assert out[10:13] == ["Caution:", "The exact layout of the cache is an implementation detail.", ""]
    # a tab: its title, its options gone; code inside stays code, a role in it too
    assert out[14:21] == ["Linux", "", "```{code-block} console", "$ pip cache dir {file}`~/.cache`", "```",
                          "The cache lives under the XDG cache directory.", ""]
    assert out[22:28] == ["Note:", "", "", "", "Clear it with pip cache purge.", ""]
    assert out[29:33] == ["```{toctree}", ":maxdepth: 1", "install", "```"]  # no page text: left as a fence
    assert myst_page("No braces here.\n```\n{x}`y`\n```\n") == "No braces here.\n```\n{x}`y`\n```\n"


def test_a_myst_page_is_indexed_and_highlighted_as_its_page_reads(tmp_path, fake):
    (tmp_path / "caching.md").write_text(PAGE, encoding="utf-8")
    stats = ReadStats()
    [article] = read_articles([str(tmp_path)], stats)
    assert "{file}`requirements" not in article.text and "{caution}" not in article.text and article.title == "Caching"
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False, chunk_tokens=40)
    hit = lib.ask("exact layout of the cache implementation detail", k=1, mode="lexical")[0]
    assert hit.section == ("Where is the cache stored",)
    assert hit.highlights[0].text == "Caution:\nThe exact layout of the cache is an implementation detail."
    lib.close()


def test_a_code_fence_line_is_never_the_highlight_a_heading_passes_on(tmp_path, fake):
    """A heading matching the question passes its score to the sentence under it: the code
    under a fence, not the fence's own line (```` ```console ````, which a page never shows)."""
    (tmp_path / "cache.md").write_text(
        "# Tools\n\nSome tools for the harbour office.\n\n## Where is the cache stored\n\n"
        "```console\n$ tool cache dir\n```\n\nThe end.\n", encoding="utf-8")
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False)
    hit = lib.ask("Where is the cache stored?", k=1)[0]
    assert [h.text for h in hit.highlights][:1] == ["$ tool cache dir"]
    assert all(not h.text.startswith("```") for h in hit.highlights)
    lib.close()
