package gradus.io.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import gradus.files.AtomicFiles;
import gradus.files.FileFormatException;
import gradus.io.onnx.proto.OnnxProto.ModelProto;
import gradus.data.Scaler;
import gradus.io.ModelDirectory;
import gradus.nn.Module;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes ONNX models. {@link #load} imports a {@code .onnx} file (external data files
 * beside it included) as a trainable {@link OnnxModel}; {@link #export(Module, int[], Path)} writes
 * a feature model (MLP, CNN, recurrent or Transformer layers) and {@link #export(Module, Path)} a text
 * model (LstmClassifier, Gpt, TransformerClassifier, Bert) that ONNX Runtime and other tools run.
 */
public final class Onnx {
    /** The metadata_props key under which an export records its module's config as JSON (a re-import rebuilds from it). */
    public static final String MODEL_CONFIG_KEY = OnnxExporter.MODEL_CONFIG_KEY;
    /** Protobuf messages cannot exceed 2 GiB; larger models keep their weights in external data files. */
    private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

    private Onnx() {}

    /** Imports an ONNX model; malformed files, unsupported operators and bad attributes fail here, naming the cause. */
    public static OnnxModel load(Path file) throws IOException {
        return new OnnxModel(read(file), file);
    }

    /** Parses the file's ModelProto; a broken file is reported with the field path and byte offset where it breaks. */
    static ModelProto read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new FileFormatException(file, "is " + size + " bytes; ONNX files over 2 GiB must keep their weights in external data files");
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            return ModelProto.parseFrom(CodedInputStream.newInstance(bytes));
        } catch (InvalidProtocolBufferException e) {
            String where = WireCheck.locate(bytes, ModelProto.getDescriptor());
            throw new FileFormatException(file, "is not a valid ONNX model: " + (where != null ? where : e.getMessage()), e);
        }
    }

    /**
     * Writes {@code model} as an ONNX file whose input has shape {@code inputShape}; the first
     * (batch) dimension and any given as -1 (e.g. the sequence in {@code {-1, -1, 64}}) stay
     * dynamic. The graph computes what the model computes in eval mode. Exportable layers:
     * Sequential, Linear, ReLU, LeakyReLU, GELU, SiLU, Sigmoid, Tanh, Softmax, Dropout, Flatten,
     * Conv2d, MaxPool2d, AvgPool2d, BatchNorm1d/2d, LayerNorm, LSTM, GRU; others fail naming the
     * layer. Text models are exported by {@link #export(Module, Path)}.
     */
    public static void export(Module model, int[] inputShape, Path file) throws IOException {
        export(model, inputShape, null, file);
    }

    /**
     * As {@link #export(Module, int[], Path)}, with the input scaler a saved model applies before its network
     * (its config.json's {@code preprocessing.scaler}; null: none) as the graph's first nodes, Sub and Mul, so
     * the ONNX model takes the same raw inputs as the saved one.
     */
    public static void export(Module model, int[] inputShape, Scaler preprocessing, Path file) throws IOException {
        ModelProto proto = new OnnxExporter().export(model, inputShape, preprocessing, Map.of());
        AtomicFiles.write(file, proto::writeTo);
    }

    /**
     * Writes a saved feature model as its card describes it: the card's input scaler as the graph's first nodes
     * (see {@link #export(Module, int[], Scaler, Path)}), and its task and class names as metadata_props
     * ({@code gradus.task}, {@code gradus.class_names} as a JSON list), which {@link #importLayers} reads back.
     */
    public static void export(ModelDirectory.Loaded saved, int[] inputShape, Path file) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        var card = saved.card();
        if (card.task() != null) metadata.put(OnnxExporter.TASK_KEY, card.task());
        if (card.classNames() != null) metadata.put(OnnxExporter.CLASS_NAMES_KEY, OnnxExporter.METADATA_JSON.writeValueAsString(card.classNames()));
        ModelProto proto = new OnnxExporter().export(saved.model(), inputShape, card.scaler(), metadata);
        AtomicFiles.write(file, proto::writeTo);
    }

    /** A feature model rebuilt from an ONNX file as native layers, and the model card to save with it (input_shape, preprocessing, task, class_names). */
    public record ImportedLayers(Module model, Map<String, Object> card) {}

    /** Whether the file's graph takes one float input (a feature model such as an exported MLP or CNN), not token ids. */
    public static boolean takesOneFloatInput(Path file) throws IOException {
        return LayerChainImport.takesOneFloatInput(read(file));
    }

    /**
     * Rebuilds a chain-shaped graph, as Gradus exports MLPs and CNNs, as a trainable {@code Sequential} of native
     * layers; the exported input scaler and card metadata come back as the card. Other graphs fail naming the
     * node that does not fit (load those with {@link #load}).
     */
    public static ImportedLayers importLayers(Path file) throws IOException {
        return LayerChainImport.read(read(file), file);
    }

    /**
     * Writes a text model (LstmClassifier, Gpt, TransformerClassifier) as an ONNX file with input
     * "input_ids" (int64 [batch, sequence], both axes dynamic, right-padded with 0) and output
     * "logits" ([batch, classes], or [batch, sequence, vocab] for Gpt). A Bert encoder gets Hugging Face's
     * interface instead: inputs input_ids, attention_mask and token_type_ids, output last_hidden_state [batch, sequence, hidden].
     */
    public static void export(Module model, Path file) throws IOException {
        ModelProto proto = toProto(model);
        AtomicFiles.write(file, proto::writeTo);
    }

    /** Whether {@code model} reads token ids (a text model, exported without an input shape) rather than features. */
    public static boolean readsTokenIds(Module model) {
        return OnnxExporter.readsTokenIds(model);
    }

    /** Fails, naming the model's type and what can be exported, when {@code model} is of a type the exporter does not know. */
    public static void requireExportable(Module model) {
        OnnxExporter.requireExportable(model);
    }

    /** The ONNX ModelProto for {@code model} (see {@link #export(Module, int[], Path)}). */
    public static ModelProto toProto(Module model, int[] inputShape) {
        return new OnnxExporter().export(model, inputShape);
    }

    /** The ONNX ModelProto for a text model (see {@link #export(Module, Path)}). */
    public static ModelProto toProto(Module model) {
        if (!OnnxExporter.readsTokenIds(model)) {
            throw new IllegalArgumentException(model.getClass().getSimpleName() + " reads features, not token ids: export it with an input shape");
        }
        return new OnnxExporter().export(model, null);
    }
}
