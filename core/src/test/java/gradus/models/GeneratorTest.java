package gradus.models;

import gradus.tensor.IntTensor;
import gradus.tensor.Rng;
import gradus.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GeneratorTest {
    private static Gpt model(GptConfig.Positional kind) {
        Rng.manualSeed(1);
        Gpt gpt = new Gpt(new GptConfig(13, 8, 2, 2, 8, 0.1f, true, kind));
        // Larger weights than GPT-2's initialization, so that the next-token distribution is far from uniform.
        for (var p : gpt.parameters()) p.mulInPlace(5f);
        return gpt;
    }

    private static String letters(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) sb.append((char) ('a' + id));
        return sb.toString();
    }

    @Test
    void cacheGivesTheSameTokensEvenPastTheContext() {
        for (GptConfig.Positional kind : GptConfig.Positional.values()) {
            Gpt gpt = model(kind);
            Generator gen = new Generator(gpt);
            for (GenerationConfig.Builder b : List.of(GenerationConfig.builder().greedy(true),
                    GenerationConfig.builder().temperature(0.8f).topK(5).topP(0.9f).repetitionPenalty(1.3f).seed(42))) {
                GenerationConfig cached = b.maxNewTokens(30).useCache(true).build();
                int[] a = gen.generate(new int[]{1, 2, 3}, cached).tokens();
                int[] u = gen.generate(new int[]{1, 2, 3}, cached.toBuilder().useCache(false).build()).tokens();
                assertEquals(30, a.length);
                assertArrayEquals(u, a, kind + " " + cached);
            }
            assertTrue(gpt.isTraining(), "the model's mode is restored");
        }
    }

    @Test
    void seedsReproduceAndDiffer() {
        Generator gen = new Generator(model(GptConfig.Positional.LEARNED));
        GenerationConfig c = GenerationConfig.builder().maxNewTokens(40).seed(7).build();
        // A second model built from the same seed, with its own generator: the same tokens.
        assertArrayEquals(new Generator(model(GptConfig.Positional.LEARNED)).generate(new int[]{4}, c).tokens(),
                gen.generate(new int[]{4}, c).tokens());
        assertFalse(java.util.Arrays.equals(gen.generate(new int[]{4}, c).tokens(),
                gen.generate(new int[]{4}, c.toBuilder().seed(8).build()).tokens()));
    }

    @Test
    void sampledTokensFollowTheModelsDistribution() {
        Gpt gpt = model(GptConfig.Positional.LEARNED);
        gpt.eval();
        Tensor logits = gpt.forward(IntTensor.of(new int[]{4}, 1, 1)).reshape(13);
        double[] p = new double[13];
        double total = 0;
        for (int i = 0; i < 13; i++) total += p[i] = Math.exp(logits.get(i));
        Generator gen = new Generator(gpt);
        int draws = 3000;
        int[] counts = new int[13];
        for (int seed = 0; seed < draws; seed++) {
            counts[gen.generate(new int[]{4}, GenerationConfig.builder().maxNewTokens(1).seed(seed).build()).tokens()[0]]++;
        }
        for (int i = 0; i < 13; i++) {
            double expected = p[i] / total, sd = Math.sqrt(expected * (1 - expected) / draws);
            assertEquals(expected, counts[i] / (double) draws, 5 * sd + 1e-3, "token " + i + " of " + java.util.Arrays.toString(counts));
        }
    }

    @Test
    void streamsEachTokenAndStopsOnTokensAndSequences() {
        Generator gen = new Generator(model(GptConfig.Positional.ROTARY), GeneratorTest::letters);
        List<Integer> streamed = new ArrayList<>();
        GenerationConfig c = GenerationConfig.builder().maxNewTokens(25).seed(3).build();
        var all = gen.generate(new int[]{0, 5}, c, streamed::add);
        assertEquals(Generator.StopReason.MAX_NEW_TOKENS, all.stopReason());
        assertEquals(streamed, java.util.Arrays.stream(all.tokens()).boxed().toList());

        int stopToken = all.tokens()[6];
        int first = streamed.indexOf(stopToken);
        var byToken = gen.generate(new int[]{0, 5}, c.toBuilder().stopTokens(List.of(stopToken)).build());
        assertEquals(Generator.StopReason.STOP_TOKEN, byToken.stopReason());
        assertEquals(first + 1, byToken.tokens().length);

        String text = letters(all.tokens()), stop = text.substring(9, 11);
        var bySequence = gen.generate(new int[]{0, 5}, c.toBuilder().stopSequences(List.of("zzz", stop)).build());
        assertEquals(Generator.StopReason.STOP_SEQUENCE, bySequence.stopReason());
        assertEquals(stop, bySequence.stopSequence());
        assertEquals(text.indexOf(stop) + 2, bySequence.tokens().length);
        assertTrue(letters(bySequence.tokens()).endsWith(stop));

        var noDecoder = assertThrows(IllegalArgumentException.class, () -> new Generator(model(GptConfig.Positional.ROTARY))
                .generate(new int[]{1}, c.toBuilder().stopSequences(List.of("a")).build()));
        assertTrue(noDecoder.getMessage().contains("decode"), noDecoder.getMessage());
    }

    @Test
    void longPromptsKeepTheirEndAndEmptyPromptsNeedABosToken() {
        Generator gen = new Generator(model(GptConfig.Positional.LEARNED));
        GenerationConfig c = GenerationConfig.builder().greedy(true).maxNewTokens(5).build();
        int[] longPrompt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        var out = gen.generate(longPrompt, c);
        assertTrue(out.promptTruncated());
        assertEquals(3, out.droppedPromptTokens());
        assertArrayEquals(new int[]{4, 5, 6, 7, 8, 9, 10, 11}, out.prompt());
        assertArrayEquals(gen.generate(out.prompt(), c).tokens(), out.tokens());

        var empty = assertThrows(IllegalArgumentException.class, () -> gen.generate(new int[0], c));
        assertTrue(empty.getMessage().contains("empty prompt"), empty.getMessage());
        var bos = gen.generate(new int[0], c.toBuilder().bosToken(0).build());
        assertArrayEquals(new int[]{0}, bos.prompt());
        assertArrayEquals(gen.generate(new int[]{0}, c).tokens(), bos.tokens());
        var bad = assertThrows(IllegalArgumentException.class, () -> gen.generate(new int[]{13}, c));
        assertTrue(bad.getMessage().contains("13"), bad.getMessage());
    }

    @Test
    void samplerFiltersAndPenalizes() {
        boolean[] none = new boolean[4];
        // Repetition penalty 2 on tokens 0 and 1: [3, -1, 2, 0] → [1.5, -2, 2, 0]; greedy picks 2.
        Sampler greedy = new Sampler(GenerationConfig.builder().greedy(true).repetitionPenalty(2f).build(), new Rng(0));
        assertEquals(2, greedy.next(new float[]{3, -1, 2, 0}, new boolean[]{true, true, false, false}));
        assertEquals(0, greedy.next(new float[]{3, -1, 2, 0}, none));
        // Probabilities 0.5, 0.3, 0.2, 0 (log-space): top-p 0.7 keeps tokens 0 and 1; top-k 1 keeps token 0.
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2), -30f};
        int[] counts = new int[4];
        Sampler nucleus = new Sampler(GenerationConfig.builder().topP(0.7f).build(), new Rng(1));
        for (int i = 0; i < 4000; i++) counts[nucleus.next(logits.clone(), none)]++;
        assertEquals(0, counts[2] + counts[3]);
        assertEquals(0.625, counts[0] / 4000.0, 0.03, "0.5 / (0.5 + 0.3)");
        Sampler top1 = new Sampler(GenerationConfig.builder().topK(1).build(), new Rng(2));
        for (int i = 0; i < 100; i++) assertEquals(0, top1.next(logits.clone(), none));
        // Temperature 0.5 squares the odds: 0.25 : 0.09 : 0.04.
        counts = new int[4];
        Sampler cold = new Sampler(GenerationConfig.builder().temperature(0.5f).build(), new Rng(3));
        for (int i = 0; i < 4000; i++) counts[cold.next(logits.clone(), none)]++;
        assertEquals(0.25 / 0.38, counts[0] / 4000.0, 0.03);
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.builder().topP(0f).build());
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.builder().temperature(-1f).build());
    }
}
