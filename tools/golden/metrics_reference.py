"""Reference numbers for MetricsTest, in plain Python (scikit-learn is not installed): the
definitions of sklearn's precision_recall_fscore_support / classification_report (zero_division=0,
labels = classes seen as actual or predicted), mean_squared_error, mean_absolute_error, r2_score.
Run: /usr/bin/python3 tools/golden/metrics_reference.py"""

names = ["cat", "dog", "bird", "fish", "newt"]
actual = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 0, 1]
predicted = [0, 0, 1, 2, 1, 1, 0, 2, 1, 1, 0, 1]


def div(a, b):
    return a / b if b else 0.0


labels = sorted(set(actual) | set(predicted))
rows = {}
for c in range(len(names)):
    tp = sum(1 for a, p in zip(actual, predicted) if a == c and p == c)
    fp = sum(1 for a, p in zip(actual, predicted) if a != c and p == c)
    fn = sum(1 for a, p in zip(actual, predicted) if a == c and p != c)
    rows[c] = (div(tp, tp + fp), div(tp, tp + fn), div(2 * tp, 2 * tp + fp + fn), tp + fn)
n = len(actual)
acc = sum(a == p for a, p in zip(actual, predicted)) / n
macro = [sum(rows[c][i] for c in labels) / len(labels) for i in range(3)]
weighted = [sum(rows[c][i] * rows[c][3] for c in labels) / n for i in range(3)]
print("accuracy", repr(acc))
for c in range(len(names)):
    print(names[c], [repr(v) for v in rows[c]])
print("macro", [repr(v) for v in macro])
print("weighted", [repr(v) for v in weighted])

# sklearn's text layout: names right-aligned to max(len(name), len("weighted avg")), 9-wide columns, 2 digits
w = max(max(len(s) for s in names), len("weighted avg"))
out = "{:>{w}s} ".format("", w=w) + "".join(" {:>9}".format(h) for h in ["precision", "recall", "f1-score", "support"]) + "\n\n"
for c in range(len(names)):
    out += "{:>{w}s} ".format(names[c], w=w) + "".join(" {:>9.2f}".format(v) for v in rows[c][:3]) + " {:>9}\n".format(rows[c][3])
out += "\n" + "{:>{w}s} ".format("accuracy", w=w) + " {:>9}".format("") * 2 + " {:>9.2f}".format(acc) + " {:>9}\n".format(n)
for label, avg in [("macro avg", macro), ("weighted avg", weighted)]:
    out += "{:>{w}s} ".format(label, w=w) + "".join(" {:>9.2f}".format(v) for v in avg) + " {:>9}\n".format(n)
print(out)


def regression(y, p):
    cols = len(y[0])
    m = len(y)
    mse = sum((p[i][j] - y[i][j]) ** 2 for i in range(m) for j in range(cols)) / (m * cols)
    mae = sum(abs(p[i][j] - y[i][j]) for i in range(m) for j in range(cols)) / (m * cols)
    r2s = []
    for j in range(cols):
        mean = sum(y[i][j] for i in range(m)) / m
        tot = sum((y[i][j] - mean) ** 2 for i in range(m))
        res = sum((y[i][j] - p[i][j]) ** 2 for i in range(m))
        r2s.append(1 - res / tot if tot != 0 else (1.0 if res == 0 else 0.0))
    return mse, mae, sum(r2s) / cols


print("single", [repr(v) for v in regression([[3], [-0.5], [2], [7]], [[2.5], [0.0], [2], [8]])])
print("multi", [repr(v) for v in regression([[0.5, 1], [-1, 1], [7, -6]], [[0, 2], [-1, 2], [8, -5]])])
print("constant exact", regression([[1], [1], [1]], [[1], [1], [1]])[2], "constant off", regression([[1], [1], [1]], [[1], [2], [1]])[2])
