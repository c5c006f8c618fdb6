package gradus.examples;

import gradus.autograd.GradMode;
import gradus.data.datasets.SpamAssassin;
import gradus.data.datasets.TextData;
import gradus.metrics.ClassificationReport;
import gradus.metrics.ConfusionMatrix;
import gradus.models.BertClassifier;
import gradus.models.SentenceEmbedder;
import gradus.models.SentencePooling;
import gradus.nn.Losses;
import gradus.optim.AdamW;
import gradus.optim.ParamGroup;
import gradus.optim.Schedules;
import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.text.BatchOptions;
import gradus.text.Tokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Transfer learning: a pretrained sentence encoder (a model directory from {@code gradus import}, e.g.
 * all-MiniLM-L6-v2) fine-tuned as a spam classifier on the SpamAssassin split of the spam-lstm recipe.
 * The lower layers stay frozen, the top ones train at a lower learning rate than the new head, with
 * warm-up and linear decay; messages are cut to their first tokens and batched with padding masks.
 * <pre>
 * java ... gradus.examples.BertSpamFineTune minilm [sample|full] [max tokens (64)] [epochs (2)] [trainable layers (2)]
 * </pre>
 */
public final class BertSpamFineTune {
    public static void main(String[] args) throws Exception {
        if (args.length < 1) throw new IllegalArgumentException("usage: BertSpamFineTune MODEL_DIR [sample|full] [max tokens] [epochs] [trainable layers]");
        boolean full = args.length > 1 && args[1].equals("full");
        int maxTokens = args.length > 2 ? Integer.parseInt(args[2]) : 64, epochs = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int trainable = args.length > 4 ? Integer.parseInt(args[4]) : 2, batch = 16;
        Rng.manualSeed(0);
        SentenceEmbedder pretrained = SentenceEmbedder.load(Path.of(args[0]));
        Tokenizer tok = pretrained.tokenizer();
        BertClassifier model = new BertClassifier(pretrained.model(), 2, SentencePooling.MEAN, 0.1f);
        model.freezeEncoder(trainable);
        TextData.Documents train = full ? SpamAssassin.load("train", null) : SpamAssassin.sample("train");
        TextData.Documents test = full ? SpamAssassin.load("test", null) : SpamAssassin.sample("test");
        BatchOptions opts = BatchOptions.DEFAULT.truncateTo(maxTokens).padToLongest();

        int perEpoch = (train.size() + batch - 1) / batch, steps = epochs * perEpoch, warmup = Math.max(1, steps / 10);
        List<ParamGroup> groups = model.paramGroups(5e-3, 2e-4, 0.8);
        AdamW opt = new AdamW(groups.get(0).params(), groups.get(0).lr(), 0.01);
        for (ParamGroup g : groups.subList(1, groups.size())) opt.addParamGroup(g);
        opt.setSchedule(Schedules.warmup(warmup, Schedules.linear(1, 0.1, Math.max(1, steps - warmup))));
        System.out.printf(Locale.ROOT, "%d train / %d test messages, %d tokens each at most, %d epochs, top %d of %d layers trainable%n",
                train.size(), test.size(), maxTokens, epochs, trainable, model.encoder().layers().size());

        Rng shuffle = new Rng(0);
        long t0 = System.nanoTime();
        model.train();
        for (int epoch = 0; epoch < epochs; epoch++) {
            int[] order = shuffle.permutation(train.size());
            double lossSum = 0;
            for (int s = 0; s < perEpoch; s++) {
                TextData.Documents b = train.select(order, s * batch, Math.min(train.size(), (s + 1) * batch));
                Tensor loss = Losses.crossEntropy(model.forward(tok.encodeBatch(b.texts(), opts)), IntTensor.of(b.labels(), b.size()));
                opt.zeroGrad();
                loss.backward();
                opt.step();
                lossSum += loss.item();
            }
            System.out.printf(Locale.ROOT, "epoch %d: train loss %.4f (%.0f s)%n", epoch + 1, lossSum / perEpoch, (System.nanoTime() - t0) / 1e9);
        }

        model.eval();
        ConfusionMatrix cm = new ConfusionMatrix(SpamAssassin.CLASS_NAMES);
        try (var g = GradMode.noGrad()) {
            for (int from = 0; from < test.size(); from += 64) {
                int to = Math.min(test.size(), from + 64);
                int[] pred = model.forward(tok.encodeBatch(test.texts().subList(from, to), opts)).argmax(1).data();
                for (int i = from; i < to; i++) cm.add(pred[i - from], test.labels()[i]);
            }
        }
        System.out.println(ClassificationReport.of(cm).toText(3));
    }
}
