package gradus.io.onnx;

import gradus.nn.Module;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ONNX exports of one module family, found with {@link java.util.ServiceLoader} (listed in
 * {@code META-INF/services/gradus.io.onnx.OnnxExports}): gradus.nn's layers ({@link NnOnnxExports}) and the
 * text models of gradus.models, which sit above this package and so bring their own. This is the module-level
 * table; with the op layer it becomes one ONNX mapping per op.
 */
public interface OnnxExports {
    List<Export> exports();

    /** A model whose graph input is token ids (int64 [batch, sequence]): its output's name and its other inputs. */
    record TokenIds(String output, List<String> extraInputs) {}

    /**
     * A layer that is exactly one ONNX node {@code op} over its input, its config keys carried as the node's attributes
     * ({@code attributes}: config key → attribute name). Import reads such a node back as the layer.
     */
    record SingleNode(String op, Map<String, String> attributes) {}

    /**
     * How modules of {@code type} become nodes; {@code tokenIds} is null for a layer that reads float features, and
     * {@code node} is set where the layer is one node (then the table also serves import).
     */
    record Export(Class<? extends Module> type, OnnxExporter.LayerExport emit, TokenIds tokenIds, SingleNode node) {
        public static Export layer(Class<? extends Module> type, OnnxExporter.LayerExport emit) {
            return new Export(type, emit, null, null);
        }

        /**
         * A layer that is one node {@code op}; {@code keysToAttributes} pairs each config key with its attribute
         * ({@code "slope", "alpha"}), written from and read into the layer's typed config record.
         */
        public static Export node(Class<? extends Module> type, String op, String... keysToAttributes) {
            Map<String, String> attributes = new LinkedHashMap<>();
            for (int i = 0; i < keysToAttributes.length; i += 2) attributes.put(keysToAttributes[i], keysToAttributes[i + 1]);
            SingleNode node = new SingleNode(op, Map.copyOf(attributes));
            return new Export(type, (g, m, path, in) -> g.singleNode(node, m, in), null, node);
        }

        /** A model reading token ids, its graph output named {@code output} and further int64 inputs {@code extraInputs}. */
        public static Export textModel(Class<? extends Module> type, String output, List<String> extraInputs, OnnxExporter.LayerExport emit) {
            return new Export(type, emit, new TokenIds(output, List.copyOf(extraInputs)), null);
        }
    }
}
