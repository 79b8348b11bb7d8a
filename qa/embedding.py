"""Phase 2 of a write: embed the new passages, resuming from what an interrupted run embedded."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from . import sentvec
from .embedder import Embedder, encode_spans
from .journal import Journal, passage_key

EMBED_BATCH = 128
Batch = tuple[list[int], list[str], list[list[tuple[int, int]]]]  # ids, texts, sentence spans
# ids, vectors, sentence vectors, sentence tokens (qa.tokens blobs, or None)
Encoded = tuple[Sequence[int], np.ndarray, list[np.ndarray], list[bytes | None]]


def embed_input(title: str, passage_text: str) -> str:
    """The text embedded for a passage: its article's title gives later passages their context
    (a passage that opens with the title, as a line or a Markdown heading, has it already)."""
    if passage_text.lstrip("# \t").startswith(title.rstrip("…")):
        return passage_text
    return f"{title}\n{passage_text}"


def local_encoder(embedder: Embedder) -> Callable[[Iterator[Batch]], Iterator[Encoded]]:
    """Encode batches in this process, in order."""

    def run(batches: Iterator[Batch]) -> Iterator[Encoded]:
        for ids, texts, spans in batches:
            yield (ids, *encode_spans(embedder, texts, spans))

    return run


def embed_new(catalog, store, article_store, encode, first_new, progress, on_progress,
              journal: Journal | None = None) -> int:
    """Embed passages from id ``first_new`` on, in batches that span articles; an article's
    vector (the normalised mean of its passages) is added once its last passage is done.
    ``encode`` may return batches in any order and size (a Ray pipeline does). Passages the
    ``journal`` holds (an interrupted run embedded them) are taken from it instead, and those
    embedded are recorded in it. Returns how many passages came from the journal."""
    from .progress import bar as progress_bar

    total = catalog.passages_from_count(first_new)
    if journal is not None and total and catalog.appender is not None:
        journal.attach(catalog.appender)
    bar = progress_bar(total=total, unit="passage", desc="embedding", disable=not progress or total < 256,
                       smoothing=0.1)
    sums: dict[int, np.ndarray] = {}
    left = catalog.passages_left_per_article(first_new)
    article_of: dict[int, int] = {}  # passages handed to the encoder and not yet back
    key_of: dict[int, bytes] = {}
    done = resumed = 0

    def take(ids: list[int], arows: list[int], vectors: np.ndarray, reused: bool = False) -> None:
        nonlocal done
        store.add(np.asarray(ids, dtype=np.int64), vectors)
        finished = []
        for arow, vec in zip(arows, vectors, strict=True):
            sums[arow] = sums.get(arow, 0) + vec
            left[arow] -= 1
            if left[arow] == 0:
                finished.append(arow)
        if finished:
            mean = np.vstack([sums.pop(a) for a in finished])
            mean /= np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
            article_store.add(np.asarray(finished, dtype=np.int64), mean)
        done += len(ids)
        if reused and not bar.disable:  # counted, but kept out of the rate (so out of the time left)
            bar.n += len(ids)
            bar.last_print_n += len(ids)
            bar.refresh()
        else:
            bar.update(len(ids))
        if on_progress:
            on_progress(done, total, "embedding passages")

    def batches() -> Iterator[Batch]:
        nonlocal resumed
        active = journal is not None and journal.active
        for batch in catalog.iter_passages_from(first_new, EMBED_BATCH):
            ids, texts, spans, keys, arows = [], [], [], [], []
            for pid, arow, title, text, char_start, sentences in batch:
                full = embed_input(title, text)
                shift = len(full) - len(text) - char_start  # article offset -> offset in full
                ids.append(pid)
                texts.append(full)
                spans.append([(a + shift, b + shift) for a, b in sentences])
                arows.append(arow)
                if active:
                    keys.append(passage_key(full, spans[-1]))
            found = journal.lookup(keys) if active else [None] * len(ids)
            hits = [i for i, f in enumerate(found) if f is not None]
            if hits:  # embedded by an interrupted run
                catalog.point_sentence_vectors([(ids[i], *found[i][1:]) for i in hits])
                take([ids[i] for i in hits], [arows[i] for i in hits], np.vstack([found[i][0] for i in hits]), reused=True)
                resumed += len(hits)
            todo = [i for i, f in enumerate(found) if f is None]
            for i in todo:
                article_of[ids[i]] = arows[i]
                if active:
                    key_of[ids[i]] = keys[i]
            if todo:
                yield [ids[i] for i in todo], [texts[i] for i in todo], [spans[i] for i in todo]

    try:
        for got_ids, vectors, sentence_vectors, sentence_tokens in encode(batches()):
            ids = [int(i) for i in got_ids]
            blobs = [(pid, sentvec.encode(sv), toks) for pid, sv, toks
                     in zip(ids, sentence_vectors, sentence_tokens, strict=True)]
            placed = catalog.set_sentence_vectors(blobs)
            if journal is not None and journal.active:
                catalog.appender.flush()  # the bytes before the records that point to them
                journal.append([key_of.pop(pid) for pid in ids], vectors, placed,
                               [vecs + (toks or b"") for _, vecs, toks in blobs])
            take(ids, [article_of.pop(pid) for pid in ids], vectors)
    finally:
        bar.close()
        if journal is not None:
            journal.close()
    if article_of:
        raise RuntimeError(f"the encoder returned no vectors for {len(article_of)} passages")
    return resumed
