"""Metrics against hand-computed values, and `qa eval` on a tiny BEIR dataset."""

from __future__ import annotations

import json
import math

import pytest

from qa.evaluate import mrr_at, ndcg_at, recall_at, run_eval, score_run


def test_ndcg_hand_computed():
    rels = {"a": 1, "b": 1}
    # relevant at ranks 2 and 3: (1/log2(3) + 1/log2(4)) / (1 + 1/log2(3))
    expected = (1 / math.log2(3) + 0.5) / (1 + 1 / math.log2(3))
    assert ndcg_at(["x", "a", "b"], rels, 10) == pytest.approx(expected)
    assert ndcg_at(["a", "b"], rels, 10) == pytest.approx(1.0)
    assert ndcg_at(["x"], rels, 10) == 0.0
    assert ndcg_at(["b", "a"], {"a": 2, "b": 1}, 10) == pytest.approx((1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3)))


def test_mrr_and_recall():
    rels = {"a": 1, "b": 1, "c": 1, "d": 1}
    assert mrr_at(["x", "y", "a"], rels, 10) == pytest.approx(1 / 3)
    assert mrr_at(["x"] * 10 + ["a"], rels, 10) == 0.0
    assert recall_at(["a", "x", "b"], rels, 1) == 0.25
    assert recall_at(["a", "x", "b"], rels, 10) == 0.5


def test_score_run_means_over_judged_queries():
    run = {"q1": ["a"], "q2": ["z"]}
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}}
    scores = score_run(run, qrels)
    assert scores["recall@1"] == 0.5 and scores["ndcg@10"] == 0.5


@pytest.mark.model
def test_qa_eval_on_a_tiny_beir_set(tmp_path):
    d = tmp_path / "tiny"
    (d / "qrels").mkdir(parents=True)
    docs = {"d1": "The Valmora dockworkers went on strike over automation.",
            "d2": "A comet will be visible to the naked eye in October.",
            "d3": "Coffee drinkers have a lower risk of liver disease."}
    (d / "corpus.jsonl").write_text("".join(json.dumps({"_id": k, "title": "", "text": v}) + "\n" for k, v in docs.items()))
    (d / "queries.jsonl").write_text(json.dumps({"_id": "q1", "text": "port workers strike"}) + "\n"
                                     + json.dumps({"_id": "q2", "text": "when can I see the comet"}) + "\n")
    (d / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n")
    report = run_eval(str(d), index=str(tmp_path / "idx"))
    assert report["queries"] == 2 and report["documents"] == 3
    for mode in ("lexical", "dense", "hybrid"):
        assert report["modes"][mode]["recall@1"] == 1.0
    assert report["unasked"] == []
    # A query with no word in it is scored as a run without results for it is, and named.
    (d / "queries.jsonl").write_text((d / "queries.jsonl").read_text() + json.dumps({"_id": "q3", "text": "???"}) + "\n")
    (d / "qrels" / "test.tsv").write_text((d / "qrels" / "test.tsv").read_text() + "q3\td3\t1\n")
    report = run_eval(str(d), index=str(tmp_path / "idx"), modes=["hybrid"])
    assert report["unasked"] == ["q3"] and report["modes"]["hybrid"]["recall@1"] == pytest.approx(2 / 3)
