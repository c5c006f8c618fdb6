"""Reference numbers for TextMetricsTest and RankingTest: sacreBLEU 2.6.0 (BLEU, 13a tokenizer),
NLTK 3.10 (corpus_bleu cross-check, Porter stemmer) and scikit-learn (top-k accuracy, label ranking
average precision). The ROUGE numbers in the test come from rouge-score's own tests, not from here.
Run with a Python that has sacrebleu, nltk and scikit-learn, e.g.
  python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install sacrebleu nltk scikit-learn
  /tmp/refenv/bin/python tools/golden/text_metrics.py"""
import numpy as np
import sacrebleu
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
from nltk.translate.bleu_score import corpus_bleu
from nltk.stem import porter
from sklearn.metrics import top_k_accuracy_score, label_ranking_average_precision_score


def show(name, s):
    print(name, repr(s.score), s.counts, s.totals, [repr(p) for p in s.precisions], repr(s.bp), s.sys_len, s.ref_len)


print("sacrebleu", sacrebleu.__version__)
tok = Tokenizer13a()
for line in ["Hello, world! It's 3.14 or 1,000.5 -- 5-6 items (a-b).", "&quot;U.S.A.&quot; &amp; co. cost $5.",
             "x-\ny <skipped>z", "end.  ", "a\u00a0b\tc"]:
    print("13a", repr(line), "->", repr(tok(line.rstrip())))

# sacreBLEU's README example (test/test_bleu.py): two reference streams.
hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.']
refs = [['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
        ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.']]
show("readme", sacrebleu.corpus_bleu(hyps, refs))
show("readme_first_ref_only", sacrebleu.corpus_bleu(hyps, refs[:1]))
# Variable reference counts: None leaves a reference out.
show("variable_refs", sacrebleu.corpus_bleu(hyps, [refs[0], [refs[1][0], refs[1][1], None]]))
show("short_hyp", sacrebleu.corpus_bleu(["the cat"], [["the cat sat on the mat"]]))
# sentence BLEU, sacreBLEU issue #98 example (test/test_sentence_bleu.py)
show("sentence98", sacrebleu.sentence_bleu("Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;",
                                           ["producţia de zahăr brut se exprimă în zahăr alb;"]))
show("sentence_short", sacrebleu.sentence_bleu("a test", ["a little test"]))

# Cross-check with NLTK on whitespace-tokenized text that 13a leaves as it is and where every order matches
# (NLTK does not smooth, sacreBLEU's exp smoothing only acts on orders with no match).
cb_h = ["the quick brown fox jumps over the lazy dog", "a man walks his dog in the park every day",
        "she sells sea shells by the sea shore"]
cb_r = [["the quick brown fox jumped over the lazy dog", "a quick brown fox jumps over a lazy dog"],
        ["a man walks the dog in the park each day", "every day a man walks his dog in a park"],
        ["she sells shells by the sea shore", "by the sea shore she sells sea shells"]]
s = sacrebleu.corpus_bleu(cb_h, [list(x) for x in zip(*cb_r)])
show("nltk_case_sacrebleu", s)
print("nltk_case_nltk", repr(100 * corpus_bleu([[r.split() for r in rs] for rs in cb_r], [h.split() for h in cb_h])))

stem = porter.PorterStemmer()
words = ["caresses", "ponies", "ties", "cried", "died", "agreed", "plastered", "motoring", "hopping", "falling",
         "filing", "happy", "sky", "skies", "dying", "relational", "conditional", "digitizer", "radically",
         "analogi", "hopefulli", "generalization", "electrical", "adjustment", "adoption", "controlling", "rolling",
         "generously", "syzygy", "yyyy", "testing", "generalizations", "oscillators", "wrongness"]
print("porter", {w: stem.stem(w) for w in words})

# Ranking: 4 queries x 6 items, one relevant label each, no ties.
rng = np.random.default_rng(7)
scores = rng.permutation(24).reshape(4, 6).astype(float) / 10
y = np.array([2, 0, 5, 3])
print("scores", scores.tolist())
print("top_k_accuracy k=1,2,3", [repr(top_k_accuracy_score(y, scores, k=k, labels=range(6))) for k in (1, 2, 3)])
onehot = np.eye(6)[y]
print("lrap (= MRR with one relevant item)", repr(label_ranking_average_precision_score(onehot, scores)))
