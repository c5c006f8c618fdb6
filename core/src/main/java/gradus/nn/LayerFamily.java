package gradus.nn;

import java.util.List;

/**
 * The layer types one package supplies, found with {@link java.util.ServiceLoader} (listed in
 * {@code META-INF/services/gradus.nn.LayerFamily}), so {@link Layers} knows every type without naming the
 * packages above nn: gradus.nn's own layers ({@link NnLayers}) and gradus.models' architectures register alike.
 */
public interface LayerFamily {
    List<LayerType<?>> types();
}
