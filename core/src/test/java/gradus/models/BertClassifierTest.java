package gradus.models;

import gradus.data.datasets.SpamAssassin;
import gradus.data.datasets.TextData;
import gradus.io.ModelDirectory;
import gradus.nn.Losses;
import gradus.optim.AdamW;
import gradus.optim.ParamGroup;
import gradus.optim.Schedules;
import gradus.autograd.GradMode;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.text.BatchEncoding;
import gradus.text.BatchOptions;
import gradus.text.Tokenizer;
import gradus.text.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fine-tuning: freezing, per-layer learning rates, saving, and all-MiniLM-L6-v2 fine-tuned on the SpamAssassin sample. */
class BertClassifierTest {
    @Test
    void freezingAndLayerwiseLearningRates(@TempDir Path dir) throws Exception {
        Rng.manualSeed(1);
        BertClassifier c = new BertClassifier(BertTest.TINY, 3, SentencePooling.CLS, 0.1f);
        c.freezeEncoder(1);
        Losses.crossEntropy(c.forward(BertTest.IDS, BertTest.TYPES, BertTest.MASK), IntTensor.of(new int[]{0, 2}, 2)).backward();
        assertNull(c.encoder().embeddings().parameters().get(0).grad(), "frozen embeddings get no gradient");
        assertNull(c.encoder().layers().get(0).linear1().weight().grad(), "frozen layer 0 gets no gradient");
        assertTrue(c.encoder().layers().get(1).linear1().weight().grad().abs().sum().item() > 0f);
        assertTrue(c.head().weight().grad().abs().sum().item() > 0f);

        List<ParamGroup> groups = c.paramGroups(1e-3, 1e-4, 0.5);
        assertEquals(List.of(1e-3, 1e-4), groups.stream().map(ParamGroup::lr).toList(), "head and the one trainable layer");
        c.freezeEncoder(-1);
        assertEquals(List.of(1e-3, 1e-4, 5e-5, 2.5e-5), c.paramGroups(1e-3, 1e-4, 0.5).stream().map(ParamGroup::lr).toList());

        c.eval();
        ModelDirectory.save(dir, c, java.util.Map.of());
        BertClassifier d = (BertClassifier) ModelDirectory.load(dir).model();
        try (var g = GradMode.noGrad()) {
            assertArrayEquals(c.forward(BertTest.IDS, BertTest.TYPES, BertTest.MASK).toArray(),
                    d.forward(BertTest.IDS, BertTest.TYPES, BertTest.MASK).toArray());
            // The trainer's convention: id 0 is padding.
            assertArrayEquals(c.forward(BertTest.IDS, null, BertTest.MASK).toArray(), d.forward(BertTest.IDS.toFloat()).toArray(), 1e-6f);
        }
    }

    /**
     * MiniLM with its top layer and a new head trained for two epochs (32 tokens per message,
     * warm-up then linear decay, lower learning rate for the encoder) classifies held-out messages well.
     */
    @Test
    void fineTunedMiniLmSeparatesSpamFromHam() throws Exception {
        Rng.manualSeed(3);
        Tokenizer tok = Tokenizers.load(MiniLm.tokenizer());
        BertClassifier model = new BertClassifier(BertWeights.fromOnnx(MiniLm.model(), null), 2, SentencePooling.MEAN, 0.1f);
        model.freezeEncoder(1);
        TextData.Documents train = SpamAssassin.sample("train"), test = SpamAssassin.sample("test");
        BatchOptions opts = BatchOptions.DEFAULT.truncateTo(32).padToLongest();
        int batch = 16, perEpoch = (train.size() + batch - 1) / batch, epochs = 2, steps = epochs * perEpoch;
        List<ParamGroup> groups = model.paramGroups(5e-3, 2e-4, 0.8);
        AdamW opt = new AdamW(groups.get(0).params(), groups.get(0).lr(), 0.01);
        for (ParamGroup g : groups.subList(1, groups.size())) opt.addParamGroup(g);
        opt.setSchedule(Schedules.warmup(3, Schedules.linear(1, 0.1, steps - 3)));
        Rng shuffle = new Rng(3);
        int[] order = null;
        model.train();
        for (int step = 0; step < steps; step++) {
            int s = step % perEpoch;
            if (s == 0) order = shuffle.permutation(train.size());
            TextData.Documents b = train.select(order, s * batch, Math.min(train.size(), (s + 1) * batch));
            Tensor loss = Losses.crossEntropy(model.forward(tok.encodeBatch(b.texts(), opts)), IntTensor.of(b.labels(), b.size()));
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        model.eval();
        int correct = 0;
        try (var g = GradMode.noGrad()) {
            BatchEncoding enc = tok.encodeBatch(test.texts(), opts);
            int[] pred = model.forward(enc).argmax(1).data();
            for (int i = 0; i < test.size(); i++) if (pred[i] == test.labels()[i]) correct++;
        }
        double accuracy = (double) correct / test.size();
        System.out.printf("MiniLM fine-tuned on %d SpamAssassin sample messages: test accuracy %.3f on %d%n", train.size(), accuracy, test.size());
        assertTrue(accuracy >= 0.85, "accuracy " + accuracy);
    }
}
