package gradus.io.onnx;

import gradus.nn.Module;

import java.util.List;

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

    /** How modules of {@code type} become nodes; {@code tokenIds} is null for a layer that reads float features. */
    record Export(Class<? extends Module> type, OnnxExporter.LayerExport emit, TokenIds tokenIds) {
        public static Export layer(Class<? extends Module> type, OnnxExporter.LayerExport emit) {
            return new Export(type, emit, null);
        }

        /** A model reading token ids, its graph output named {@code output} and further int64 inputs {@code extraInputs}. */
        public static Export textModel(Class<? extends Module> type, String output, List<String> extraInputs, OnnxExporter.LayerExport emit) {
            return new Export(type, emit, new TokenIds(output, List.copyOf(extraInputs)));
        }
    }
}
