"""scikit-learn reference for bench/learn: the issue's batched baseline, on every dataset.

CountVectorizer fitted on all texts beforehand (not timed), then for each mini-batch of 100:
transform, predict (once the model has seen data), update the confusion-matrix counts, and
partial_fit; and the same without predicting (the issue's "batched partial_fit" figure). Median documents/s over RUNS runs (default 5). Run with a Python that has
scikit-learn:  python bench/learn/sklearn_reference.py
"""
import csv
import os
import statistics
import time

from sklearn.feature_extraction.text import CountVectorizer
from sklearn.naive_bayes import MultinomialNB

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "shared", "data")
DATASETS = [
    ("yelp-20k", "yelp-20k.csv", "sentiment"),
    ("sst2-train", os.path.join("sst2", "train.csv"), "label"),
    ("imdb-train", os.path.join("imdb-50k", "train.csv"), "label"),
]
RUNS = int(os.environ.get("RUNS", "5"))
BATCH = 100


def load(path, label_column):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [int(r[label_column]) for r in rows]


def run(texts, labels, vec, predict=True):
    nb = MultinomialNB()
    cm = [[0, 0], [0, 0]]
    fitted = False
    t0 = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        X = vec.transform(texts[start : start + BATCH])
        y = labels[start : start + BATCH]
        if fitted and predict:
            for yt, yp in zip(y, nb.predict(X)):
                cm[yt][int(yp)] += 1
        nb.partial_fit(X, y, classes=[0, 1])
        fitted = True
    return time.perf_counter() - t0, cm


print(f"os.getloadavg() at start: {os.getloadavg()}")
print("| dataset | rows | transform + predict + partial_fit docs/s | transform + partial_fit only docs/s |")
print("|---|---:|---:|---:|")
for name, rel, label_column in DATASETS:
    path = os.path.join(SHARED, rel)
    if not os.path.exists(path):
        print(f"| {name} | - | missing |")
        continue
    texts, labels = load(path, label_column)
    vec = CountVectorizer(lowercase=True).fit(texts)
    full = [run(texts, labels, vec)[0] for _ in range(RUNS)]
    fit_only = [run(texts, labels, vec, predict=False)[0] for _ in range(RUNS)]
    rate = lambda ts: f"{round(len(texts) / statistics.median(ts)):,}"
    print(f"| {name} | {len(texts):,} | {rate(full)} | {rate(fit_only)} |")
