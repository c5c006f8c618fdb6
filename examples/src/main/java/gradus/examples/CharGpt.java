package gradus.examples;

import gradus.data.Batch;
import gradus.data.DataLoader;
import gradus.data.TokenWindows;
import gradus.data.datasets.MobyDick;
import gradus.models.GenerationConfig;
import gradus.models.Gpt;
import gradus.models.GptConfig;
import gradus.models.TextGenerator;
import gradus.optim.AdamW;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import gradus.text.CharTokenizer;

import java.util.List;

/**
 * A character-level GPT on the Moby Dick chapters that ship with Gradus, as a plain loop, then
 * streamed sampling. The full-size recipe is {@code examples/moby-gpt.yaml}.
 */
public final class CharGpt {
    public static void main(String[] args) {
        Rng.manualSeed(1337);
        String train = MobyDick.sample("train");
        CharTokenizer tokenizer = CharTokenizer.train(List.of(train));
        var windows = new TokenWindows(tokenizer.encode(train), 64, 1); // every start position is an example

        var gpt = new Gpt(new GptConfig(tokenizer.vocabSize(), 64, 2, 4, 64, 0f, true, GptConfig.Positional.LEARNED));
        var opt = new AdamW(gpt.parameters(), 1e-3, 0.9, 0.95, 1e-8, 0.1, false);
        int step = 0;
        for (Batch b : DataLoader.of(windows).batchSize(16).shuffle(1)) {
            Tensor loss = Gpt.loss(gpt.forward(b.x()), b.labels());
            opt.zeroGrad();
            loss.backward();
            opt.step();
            if (++step % 50 == 0) System.out.printf("step %d  loss %.3f%n", step, loss.item());
            if (step == 300) break;
        }

        var settings = GenerationConfig.builder().maxNewTokens(200).temperature(0.8f).topK(20).seed(7).build();
        System.out.print("Call me Ishmael.");
        new TextGenerator(gpt, tokenizer).generate("Call me Ishmael.", settings, System.out::print);
        System.out.println();
    }
}
