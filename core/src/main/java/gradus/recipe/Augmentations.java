package gradus.recipe;

import gradus.config.Config;
import gradus.config.ConfigException;
import gradus.data.Augment;

import java.util.ArrayList;
import java.util.List;

/**
 * A recipe's {@code training.augment} list, in order, as one {@link Augment.Transform}:
 * <pre>
 * augment:
 *   - {type: random_crop, padding: 2}
 *   - {type: horizontal_flip, p: 0.5}
 *   - {type: random_affine, degrees: 10, translate: 0.1}
 *   - {type: random_erasing, p: 0.25, min_area: 0.02, max_area: 0.2}
 * </pre>
 * Only training batches are augmented, so normalization (which evaluation needs too) is not among them; mixup and
 * cutmix give soft targets, which the recipe's losses do not take: both are for the Java API.
 */
final class Augmentations {
    private Augmentations() {}

    static Augment.Transform of(List<Config> steps) {
        List<Augment.Transform> out = new ArrayList<>();
        for (Config c : steps) {
            String type = c.getString("type");
            out.add(switch (type) {
                case "random_crop" -> { c.allowOnly("type", "padding"); yield Augment.randomCrop(c.getInt("padding", 4)); }
                case "horizontal_flip" -> { c.allowOnly("type", "p"); yield Augment.horizontalFlip(c.getDouble("p", 0.5)); }
                case "random_affine" -> {
                    c.allowOnly("type", "degrees", "translate");
                    yield Augment.randomAffine(c.getDouble("degrees", 0), c.getDouble("translate", 0));
                }
                case "random_erasing" -> {
                    c.allowOnly("type", "p", "min_area", "max_area", "value");
                    yield Augment.randomErasing(c.getDouble("p", 0.5), c.getDouble("min_area", 0.02), c.getDouble("max_area", 0.33),
                            (float) c.getDouble("value", 0));
                }
                default -> throw new ConfigException("unknown augmentation '" + type + "' in " + c.where()
                        + "; known: horizontal_flip, random_affine, random_crop, random_erasing");
            });
        }
        return Augment.compose(out.toArray(Augment.Transform[]::new));
    }
}
