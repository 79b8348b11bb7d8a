"""Journal articles in JATS XML (PubMed Central's .nxml): sections, captions, tables, front matter (qa.jats)."""

from __future__ import annotations

import qa
from qa.readers import ReadStats, read_articles

# As PubMed Central's open-access files are laid out (a JATS 1.3 DOCTYPE, MathML, xlink), written
# for these tests: a structured abstract, nested sections, a list in a paragraph, a formula, a
# table, a figure, numbered and bracketed citations, a reference list.
ARTICLE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD with MathML3 v1.3 20210610//EN" "JATS-archive-oasis-article1-3-mathml3.dtd">
<article xmlns:mml="http://www.w3.org/1998/Math/MathML" xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article" dtd-version="1.3">
<front>
<journal-meta><journal-id journal-id-type="nlm-ta">Harbour Sci</journal-id><journal-title-group><journal-title>Journal of Harbour Science</journal-title></journal-title-group></journal-meta>
<article-meta>
<article-id pub-id-type="pmcid">PMC0000001</article-id>
<article-id pub-id-type="pmid">31415926</article-id>
<article-id pub-id-type="doi">10.1234/jhs.2024.0042</article-id>
<title-group><article-title>Silt accumulation in a tidal <italic>inner basin</italic> after dredging</article-title></title-group>
<contrib-group>
<contrib contrib-type="author"><name><surname>Lee</surname><given-names>Ann</given-names></name><xref ref-type="aff" rid="aff1">1</xref></contrib>
<contrib contrib-type="author"><name><surname>Marsh</surname><given-names>Lena</given-names></name></contrib>
<contrib contrib-type="editor"><name><surname>Editor</surname><given-names>Some</given-names></name></contrib>
</contrib-group>
<pub-date pub-type="ppub"><month>6</month><year>2024</year></pub-date>
<pub-date pub-type="epub"><day>5</day><month>3</month><year>2024</year></pub-date>
<abstract>
<sec><title>Background</title><p>Inner basins silt up within years of dredging.</p></sec>
<sec><title>Results</title><p>We measured 12,400 m<sup>3</sup> of silt removed in 2023 and a return of 3 cm per year [<xref ref-type="bibr" rid="B1">1</xref>].</p></sec>
</abstract>
<kwd-group><kwd>dredging</kwd><kwd>sediment</kwd></kwd-group>
</article-meta>
</front>
<body>
<sec id="s1"><title>Introduction</title>
<p>Harbours lose depth as rivers carry sediment into them <xref ref-type="bibr" rid="B1">1</xref>,<xref ref-type="bibr" rid="B2">2</xref>. The
inner basin of Keel Bay was last dredged in March 2023.</p>
<p>Our questions were:
<list list-type="order"><list-item><p>How fast does silt return?</p></list-item><list-item><p>Where does it settle?<disp-formula><mml:math><mml:mi>s</mml:mi></mml:math></disp-formula></p></list-item></list>
</p>
</sec>
<sec id="s2"><title>Methods</title>
<sec id="s2a"><title>Sampling</title>
<p>Cores were taken monthly at six stations. The mean rate was <inline-formula><mml:math><mml:mi>r</mml:mi></mml:math></inline-formula> per month.</p>
<disp-formula id="e1"><mml:math><mml:mi>r</mml:mi><mml:mo>=</mml:mo><mml:mi>d</mml:mi></mml:math></disp-formula>
<table-wrap id="t1"><label>Table 1</label><caption><p>Silt removed by year.</p></caption>
<table><thead><tr><th>Year</th><th>Silt (m<sup>3</sup>)</th></tr></thead>
<tbody><tr><td>2022</td><td>12,000</td></tr><tr><td>2023</td><td>12,400</td></tr></tbody></table></table-wrap>
</sec>
</sec>
<sec id="s3"><title>Results</title>
<fig id="f1"><label>Figure 1</label><caption><title>Stations.</title><p>The six sampling stations in the inner basin.</p></caption><graphic xlink:href="f1.jpg"/></fig>
<p>Silt returned at 3 cm per year, fastest near the lock gates.</p>
</sec>
</body>
<back><ref-list><ref id="B1"><mixed-citation>Smith J. Sediment. 2020.</mixed-citation></ref></ref-list></back>
</article>
"""


def read(path):
    stats = ReadStats()
    return list(read_articles([str(path)], stats)), stats


def line_of(text: str) -> int:
    return ARTICLE[:ARTICLE.index(text)].count("\n") + 1


def test_a_pmc_article_is_its_abstract_and_sections_referenced_by_the_lines_of_the_file(tmp_path):
    (tmp_path / "PMC0000001.nxml").write_text(ARTICLE, encoding="utf-8")
    [article], stats = read(tmp_path / "PMC0000001.nxml")
    assert stats.skipped == []
    assert article.text.split("\n") == [
        "## Abstract",
        "### Background",
        "Inner basins silt up within years of dredging.",
        "### Results",
        "We measured 12,400 m3 of silt removed in 2023 and a return of 3 cm per year [1].",  # its own brackets
        "## Introduction",
        "Harbours lose depth as rivers carry sediment into them [1,2]. The inner basin of Keel Bay was last "
        "dredged in March 2023.",
        "Our questions were:",
        "1. How fast does silt return?",
        "2. Where does it settle?",
        "## Methods",
        "### Sampling",
        "Cores were taken monthly at six stations. The mean rate was r per month.",  # no display formula
        "Table 1 Silt removed by year.",
        "| Year | Silt (m3) |",
        "|---|---|",
        "| 2022 | 12,000 |",
        "| 2023 | 12,400 |",
        "## Results",
        "Figure 1 Stations. The six sampling stations in the inner basin.",
        "Silt returned at 3 cm per year, fastest near the lock gates.",
    ]  # no reference list
    assert (article.title, article.author, article.date, article.tags, article.url) == (
        "Silt accumulation in a tidal inner basin after dredging", "Ann Lee, Lena Marsh",  # not the editor
        "2024-03-05", ("dredging", "sediment"), "https://doi.org/10.1234/jhs.2024.0042")  # first published online
    assert article.metadata == {"pmcid": "PMC0000001", "pmid": "31415926", "doi": "10.1234/jhs.2024.0042",
                                "journal": "Journal of Harbour Science"}
    starts = dict((n, line) for n, (_, line) in enumerate(article.line_anchors))
    assert set(starts.values()) == {line_of(x) for x in (
        "<abstract>", "<sec><title>Background", "<p>Inner basins", "<sec><title>Results", "<p>We measured",
        '<sec id="s1">', "<p>Harbours", "<p>Our questions", "<list-item><p>How fast", "<list-item><p>Where",
        '<sec id="s2">', '<sec id="s2a">', "<p>Cores", '<table-wrap id="t1">', "<tr><th>Year", "<tr><td>2022",
        "<tr><td>2023", '<sec id="s3">', '<fig id="f1">', "<p>Silt returned")}


def test_jats_among_other_xml_and_broken_or_empty_articles(tmp_path, fake):
    (tmp_path / "elife-42.xml").write_text(ARTICLE, encoding="utf-8")  # eLife names its files .xml
    (tmp_path / "pom.xml").write_text('<?xml version="1.0"?>\n<project><build/></project>\n', encoding="utf-8")
    (tmp_path / "broken.nxml").write_text(ARTICLE.replace("</front>", "</frnt>"), encoding="utf-8")
    (tmp_path / "letter.nxml").write_text(ARTICLE.split("<abstract>")[0] + "</article-meta></front></article>",
                                          encoding="utf-8")
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False, chunk_tokens=48)
    summary = lib.last_summary
    why = {s.path.rsplit("/", 1)[1]: (s.line, s.reason.split(":")[0]) for s in summary.skipped}
    assert why == {"broken.nxml": (line_of("</front>"), "not a readable JATS article"),
                   "letter.nxml": (None, "no text in the article (no abstract or body)")}
    assert dict(summary.ignored)[".xml not a feed"] == 1  # a build file, not read
    [hit] = lib.ask("where does silt return fastest lock gates", k=1, mode="lexical")
    results = line_of('<sec id="s3">')
    assert hit.reference == f"{tmp_path / 'elife-42.xml'}:{results}-{line_of('<p>Silt returned')}"
    assert hit.link.startswith("https://doi.org/10.1234/jhs.2024.0042")
