package gradus.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Adds the special tokens around an encoded sequence ([CLS] … [SEP], &lt;s&gt; … &lt;/s&gt;) and gives each position its
 * type id, following a template. Only single sequences are encoded; a pair template is kept for saving.
 */
final class PostProcessor {
    /** One template element: fixed special token ids, or the sequence itself when {@code ids} is null. */
    record Item(int[] ids, int typeId) {
        boolean isSequence() {
            return ids == null;
        }
    }

    private final List<Item> template;
    private final Object json;
    private final int added;

    private PostProcessor(List<Item> template, Object json) {
        this.template = List.copyOf(template);
        this.json = json;
        this.added = template.stream().mapToInt(i -> i.isSequence() ? 0 : i.ids().length).sum();
    }

    /** {@code before} + the sequence + {@code after} (a GGUF model's BOS/EOS), saved as a TemplateProcessing. */
    static PostProcessor around(int[] before, int[] after, String[] beforeTokens, String[] afterTokens) {
        List<Item> template = new ArrayList<>();
        List<Object> single = new ArrayList<>();
        java.util.Map<String, Object> specials = new java.util.LinkedHashMap<>();
        for (int i = 0; i < before.length + 1 + after.length; i++) {
            if (i == before.length) {
                template.add(new Item(null, 0));
                single.add(Jsons.object("Sequence", Jsons.object("id", "A", "type_id", 0)));
                continue;
            }
            int id = i < before.length ? before[i] : after[i - before.length - 1];
            String token = i < before.length ? beforeTokens[i] : afterTokens[i - before.length - 1];
            template.add(new Item(new int[] {id}, 0));
            single.add(Jsons.object("SpecialToken", Jsons.object("id", token, "type_id", 0)));
            specials.put(token, Jsons.object("id", token, "ids", List.of(id), "tokens", List.of(token)));
        }
        return new PostProcessor(template, Jsons.object("type", "TemplateProcessing", "single", single, "pair", single, "special_tokens", specials));
    }

    static PostProcessor read(JsonField f) {
        return new PostProcessor(readTemplate(f), f.node());
    }

    private static List<Item> readTemplate(JsonField f) {
        return switch (f.type()) {
            case "TemplateProcessing" -> {
                List<Item> items = new ArrayList<>();
                JsonField specials = f.get("special_tokens").object();
                for (JsonField piece : f.get("single").array()) {
                    if (!piece.get("Sequence").isAbsent()) {
                        JsonField seq = piece.get("Sequence");
                        if (!seq.get("id").string().equals("A")) throw seq.get("id").problem("a single-sequence template can only hold sequence A");
                        items.add(new Item(null, seq.get("type_id").nonNegative()));
                    } else {
                        JsonField special = piece.get("SpecialToken").object();
                        String name = special.get("id").string();
                        JsonField entry = specials.get(name);
                        if (entry.isAbsent()) throw specials.problem("\"" + name + "\" is used in the template but not defined here");
                        List<JsonField> idFields = entry.get("ids").array();
                        int[] ids = new int[idFields.size()];
                        for (int i = 0; i < ids.length; i++) ids[i] = idFields.get(i).nonNegative();
                        items.add(new Item(ids, special.get("type_id").nonNegative()));
                    }
                }
                if (items.stream().filter(Item::isSequence).count() != 1) throw f.get("single").problem("the template must contain sequence A exactly once");
                yield items;
            }
            case "BertProcessing", "RobertaProcessing" -> List.of(
                    new Item(new int[]{idOf(f.get("cls"))}, 0), new Item(null, 0), new Item(new int[]{idOf(f.get("sep"))}, 0));
            case "ByteLevel" -> List.of(new Item(null, 0)); // only adjusts offsets, which Gradus does not track
            case "Sequence" -> {
                List<Item> composed = List.of(new Item(null, 0));
                for (JsonField p : f.get("processors").array()) {
                    List<Item> outer = readTemplate(p);
                    List<Item> next = new ArrayList<>();
                    for (Item item : outer) {
                        if (item.isSequence()) next.addAll(composed);
                        else next.add(item);
                    }
                    composed = next;
                }
                yield composed;
            }
            default -> throw f.unsupportedType("TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence");
        };
    }

    /** BERT's ["[SEP]", 102] pairs. */
    private static int idOf(JsonField pair) {
        List<JsonField> parts = pair.array();
        if (parts.size() != 2) throw pair.problem("expected [token, id]");
        parts.get(0).string();
        return parts.get(1).nonNegative();
    }

    /** How many tokens the template adds, so truncation can leave room for them. */
    int addedTokens() {
        return added;
    }

    Encoding apply(int[] ids) {
        int n = ids.length + added;
        int[] out = new int[n], types = new int[n], mask = new int[n];
        int at = 0;
        for (Item item : template) {
            int[] part = item.isSequence() ? ids : item.ids();
            System.arraycopy(part, 0, out, at, part.length);
            java.util.Arrays.fill(types, at, at + part.length, item.typeId());
            at += part.length;
        }
        java.util.Arrays.fill(mask, 1);
        return new Encoding(out, types, mask);
    }

    Object toJson() {
        return json;
    }
}
