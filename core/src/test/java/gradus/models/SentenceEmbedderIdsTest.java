package gradus.models;

import gradus.text.WordTokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Token ids in, embeddings out: the ids of a text embed as the text does; ids the model lacks are refused by name. */
class SentenceEmbedderIdsTest {
    private final WordTokenizer words = WordTokenizer.train(List.of("the whale swam", "call me ishmael", "the sea"), 50);
    private final SentenceEmbedder encoder = new SentenceEmbedder(new Bert(BertConfig.of(words.vocabSize(), 8, 1, 2, 16).withDropout(0f)), words);

    @Test
    void idsOfATextEmbedAsTheText() {
        List<String> texts = List.of("call me ishmael", "the sea", "the whale swam the sea");
        float[][] fromText = encoder.embed(texts);
        float[][] fromIds = encoder.embedIds(texts.stream().map(t -> words.encode(t, true).ids()).toList());
        for (int i = 0; i < texts.size(); i++) assertArrayEquals(fromText[i], fromIds[i], 1e-6f, texts.get(i));
    }

    @Test
    void refusesIdsOutsideTheVocabularyEmptyAndOverlongSequences() {
        int vocab = words.vocabSize();
        var outside = assertThrows(IllegalArgumentException.class, () -> encoder.embedIds(List.of(new int[]{1}, new int[]{2, vocab})));
        assertEquals("token id " + vocab + " (sequence 1, position 1) is outside the vocabulary: ids run from 0 to " + (vocab - 1), outside.getMessage());
        assertThrows(IllegalArgumentException.class, () -> encoder.embedIds(List.of(new int[]{-1})));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> encoder.embedIds(List.of(new int[0]))).getMessage().contains("empty"));
        int positions = encoder.model().bertConfig().maxPositionEmbeddings();
        var longer = assertThrows(IllegalArgumentException.class, () -> encoder.embedIds(List.of(new int[positions + 1])));
        assertTrue(longer.getMessage().contains("at most " + positions), longer.getMessage());
    }
}
