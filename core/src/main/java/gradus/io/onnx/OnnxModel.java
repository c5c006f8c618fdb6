package gradus.io.onnx;

import gradus.autograd.GradMode;
import gradus.files.FileFormatException;
import gradus.io.onnx.proto.OnnxProto.GraphProto;
import gradus.io.onnx.proto.OnnxProto.ModelProto;
import gradus.io.onnx.proto.OnnxProto.NodeProto;
import gradus.io.onnx.proto.OnnxProto.OperatorSetIdProto;
import gradus.io.onnx.proto.OnnxProto.TensorProto;
import gradus.io.onnx.proto.OnnxProto.TensorShapeProto;
import gradus.io.onnx.proto.OnnxProto.ValueInfoProto;
import gradus.nn.Module;
import gradus.tensor.IntTensor;
import gradus.tensor.Shape;
import gradus.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX graph imported as a Gradus module. Float initializers are trainable parameters (named
 * as in the file, so {@link #stateDict()} keys match the exporter's names); the nodes run in
 * topological order as Gradus tensor operations, so gradients reach every initializer.
 * Integer tensors (shapes, ids, masks) are computed exactly alongside.
 */
public final class OnnxModel extends Module {
    /** ONNX's default domain, under its two spellings. */
    private static final Set<String> DEFAULT_DOMAINS = Set.of("", "ai.onnx");

    private final int opset;
    private final List<Input> inputs = new ArrayList<>();
    private final List<String> outputNames = new ArrayList<>();
    private final int[] outputSlots;
    private final Value[] fixed;          // per slot: initializers and constants bound before every run
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private final List<Step> steps = new ArrayList<>();
    private final int slotCount;
    private final ElementLimit limit = new ElementLimit();

    /** A graph input: its slot, declared element type (null if absent) and declared dimensions (-1 when symbolic). */
    private record Input(String name, int slot, DataType type, long[] dims, String declared) {}

    /** A compiled node: its kernel, input slots (-1 for omitted optional inputs), output slots (-1 for unnamed), and slots it is the last reader of. */
    private record Step(String description, Kernel kernel, int[] in, int[] out, int[] release) {}

    OnnxModel(ModelProto model, Path file) throws IOException {
        if (!model.hasGraph()) throw new FileFormatException(file, "the model has no graph");
        this.opset = defaultOpset(model, file);
        GraphProto g = model.getGraph();
        TensorData data = new TensorData(file);
        Map<String, Integer> slots = new HashMap<>();

        Set<String> statistics = batchNormStatistics(g);
        Map<Integer, Value> bound = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            if (t.getName().isEmpty()) throw new FileFormatException(file, "an initializer has no name");
            if (slots.containsKey(t.getName())) throw new FileFormatException(file, "initializer '" + t.getName() + "' appears twice");
            int slot = slot(slots, t.getName());
            Value v = data.decode(t, "initializer '" + t.getName() + "'");
            if (v.isFloat()) {
                Tensor tensor = v.tensor(t.getName());
                register(t.getName(), tensor, statistics.contains(t.getName()));
                initializers.put(t.getName(), tensor);
            }
            bound.put(slot, v);
        }
        for (ValueInfoProto vi : g.getInputList()) {
            if (slots.containsKey(vi.getName())) continue; // IR < 4 lists initializers as inputs too
            inputs.add(describeInput(vi, slot(slots, vi.getName()), file));
        }

        List<NodeProto> order = topologicalOrder(g, slots.keySet(), file);
        Set<String> used = new HashSet<>();
        for (NodeProto n : order) used.addAll(n.getInputList());
        for (ValueInfoProto o : g.getOutputList()) used.add(o.getName());
        rejectUnsupported(order, used, file);

        List<int[]> stepInputs = new ArrayList<>();
        for (NodeProto n : order) {
            String description = describe(n);
            Operators.Op op = Operators.get(n.getOpType());
            int inCount = n.getInputCount();
            Kernel kernel;
            try {
                if (inCount < op.minInputs() || inCount > op.maxInputs()) {
                    throw new IllegalArgumentException("takes " + (op.minInputs() == op.maxInputs() ? op.minInputs() : op.minInputs() + " to " + op.maxInputs())
                            + " inputs, the node has " + inCount);
                }
                kernel = op.factory().create(new Attributes(n, description, data, limit), opset);
            } catch (IllegalArgumentException e) {
                throw new FileFormatException(file, description + ": " + e.getMessage(), e);
            }
            int[] in = new int[inCount];
            for (int i = 0; i < inCount; i++) in[i] = n.getInput(i).isEmpty() ? -1 : slots.get(n.getInput(i));
            int[] out = new int[Math.min(n.getOutputCount(), op.maxOutputs())];
            for (int i = 0; i < out.length; i++) out[i] = n.getOutput(i).isEmpty() ? -1 : slot(slots, n.getOutput(i));
            if (op.minInputs() == 0 && op.maxInputs() == 0) {
                // Constants are computed once, at load time.
                bound.put(out[0], kernel.run(new Value[0]));
                continue;
            }
            steps.add(new Step(description, kernel, in, out, null));
            stepInputs.add(in);
        }
        this.slotCount = slots.size();
        this.fixed = new Value[slotCount];
        bound.forEach((s, v) -> fixed[s] = v);

        outputSlots = new int[g.getOutputCount()];
        for (int i = 0; i < outputSlots.length; i++) {
            String name = g.getOutput(i).getName();
            Integer s = slots.get(name);
            if (s == null) throw new FileFormatException(file, "graph output '" + name + "' is not computed by any node");
            outputNames.add(name);
            outputSlots[i] = s;
        }
        planRelease(stepInputs);
    }

    private static int slot(Map<String, Integer> slots, String name) {
        return slots.computeIfAbsent(name, k -> slots.size());
    }

    private static int defaultOpset(ModelProto model, Path file) throws FileFormatException {
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (!DEFAULT_DOMAINS.contains(o.getDomain())) continue;
            if (o.getVersion() < 1 || o.getVersion() > Integer.MAX_VALUE) {
                throw new FileFormatException(file, "the model imports opset version " + o.getVersion()
                        + " of the default ONNX domain; versions start at 1");
            }
            return (int) o.getVersion();
        }
        throw new FileFormatException(file, "the model imports no opset of the default ONNX domain");
    }

    /** Initializers read only as a BatchNormalization's mean or variance: buffers, not trainable. */
    private static Set<String> batchNormStatistics(GraphProto g) {
        Set<String> stats = new HashSet<>(), other = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            for (int i = 0; i < n.getInputCount(); i++) {
                boolean stat = n.getOpType().equals("BatchNormalization") && i >= 3;
                (stat ? stats : other).add(n.getInput(i));
            }
        }
        stats.removeAll(other);
        return stats;
    }

    /** Registers an initializer under its dotted name; names that do not split cleanly stay whole, dots made underscores. */
    private void register(String name, Tensor t, boolean buffer) {
        String[] parts = name.split("\\.", -1);
        try {
            if (parts.length == 1) {
                if (buffer) registerBuffer(name, t);
                else registerParameter(name, t);
                return;
            }
            Module m = children().get(parts[0]);
            Scope s = m instanceof Scope sc ? sc : registerModule(parts[0], new Scope());
            for (int i = 1; i < parts.length - 1; i++) s = s.child(parts[i]);
            if (buffer) s.buffer(parts[parts.length - 1], t);
            else s.parameter(parts[parts.length - 1], t);
        } catch (IllegalArgumentException clash) {
            String flat = name.replace('.', '_');
            while (stateDict().containsKey(flat) || children().containsKey(flat)) flat += "_";
            if (buffer) registerBuffer(flat, t);
            else registerParameter(flat, t);
        }
    }

    private static Input describeInput(ValueInfoProto vi, int slot, Path file) throws FileFormatException {
        if (!vi.getType().hasTensorType()) return new Input(vi.getName(), slot, null, null, "");
        var tt = vi.getType().getTensorType();
        DataType type;
        try {
            type = tt.hasElemType() ? DataType.of(tt.getElemType(), "graph input '" + vi.getName() + "'") : null;
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file, e.getMessage());
        }
        if (!tt.hasShape()) return new Input(vi.getName(), slot, type, null, "");
        List<TensorShapeProto.Dimension> dl = tt.getShape().getDimList();
        long[] dims = new long[dl.size()];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            var d = dl.get(i);
            dims[i] = d.hasDimValue() ? d.getDimValue() : -1;
            names.add(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.getDimParam().isEmpty() ? "?" : d.getDimParam());
        }
        return new Input(vi.getName(), slot, type, dims, names.toString());
    }

    /** Kahn's algorithm over value names, so files whose nodes are out of order still run; fails on cycles and dangling inputs. */
    private static List<NodeProto> topologicalOrder(GraphProto g, Set<String> available, Path file) throws FileFormatException {
        Map<String, Integer> producer = new HashMap<>();
        List<NodeProto> nodes = g.getNodeList();
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            if (n.getOutputCount() == 0 || n.getOutput(0).isEmpty()) throw new FileFormatException(file, describe(n) + " has no output");
            for (String o : n.getOutputList()) {
                if (o.isEmpty()) continue;
                if (available.contains(o) || producer.putIfAbsent(o, i) != null) {
                    throw new FileFormatException(file, "value '" + o + "' is produced twice (" + describe(n) + ")");
                }
            }
        }
        int[] waiting = new int[nodes.size()];
        Map<String, List<Integer>> readers = new HashMap<>();
        ArrayDeque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < nodes.size(); i++) {
            Set<String> needs = new HashSet<>();
            for (String in : nodes.get(i).getInputList()) {
                if (in.isEmpty() || available.contains(in)) continue;
                if (!producer.containsKey(in)) {
                    throw new FileFormatException(file, describe(nodes.get(i)) + " reads '" + in + "', which no node, graph input or initializer provides");
                }
                if (needs.add(in)) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
            }
            waiting[i] = needs.size();
            if (waiting[i] == 0) ready.add(i);
        }
        List<NodeProto> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            NodeProto n = nodes.get(ready.poll());
            order.add(n);
            for (String o : n.getOutputList()) {
                for (int r : readers.getOrDefault(o, List.of())) if (--waiting[r] == 0) ready.add(r);
            }
        }
        if (order.size() != nodes.size()) throw new FileFormatException(file, "the graph has a cycle; " + (nodes.size() - order.size()) + " nodes never become ready");
        return order;
    }

    /** Fails on the first unsupported operator or used extra output, naming every unsupported operator kind once. */
    private void rejectUnsupported(List<NodeProto> nodes, Set<String> used, Path file) throws FileFormatException {
        Map<String, String> unsupported = new LinkedHashMap<>();
        for (NodeProto n : nodes) {
            String domain = n.getDomain();
            if (!DEFAULT_DOMAINS.contains(domain) || Operators.get(n.getOpType()) == null) {
                String key = (DEFAULT_DOMAINS.contains(domain) ? "" : domain + ".") + n.getOpType();
                unsupported.putIfAbsent(key, "operator " + key + " (first at " + describe(n) + ", opset "
                        + (DEFAULT_DOMAINS.contains(domain) ? "ai.onnx " + opset : domain) + ")");
                continue;
            }
            int computed = Operators.get(n.getOpType()).maxOutputs();
            for (int i = computed; i < n.getOutputCount(); i++) {
                if (!n.getOutput(i).isEmpty() && used.contains(n.getOutput(i))) {
                    throw new FileFormatException(file, describe(n) + ": Gradus computes only the first " + computed + " output(s), but output " + i
                            + " ('" + n.getOutput(i) + "') is used");
                }
            }
        }
        if (!unsupported.isEmpty()) {
            throw new FileFormatException(file, "unsupported " + String.join("; ", unsupported.values())
                    + ". Gradus implements: " + String.join(", ", Operators.all().keySet()));
        }
    }

    private static String describe(NodeProto n) {
        String name = !n.getName().isEmpty() ? n.getName() : n.getOutputCount() > 0 ? n.getOutput(0) : "(unnamed)";
        return "node '" + name + "' (" + n.getOpType() + ")";
    }

    /** After each step, drop the values it was the last to read, so memory follows the live set. */
    private void planRelease(List<int[]> stepInputs) {
        int[] last = new int[slotCount];
        Arrays.fill(last, -1);
        for (int i = 0; i < stepInputs.size(); i++) for (int s : stepInputs.get(i)) if (s >= 0) last[s] = i;
        for (int s : outputSlots) last[s] = -1;
        List<List<Integer>> release = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) release.add(new ArrayList<>());
        for (int s = 0; s < slotCount; s++) if (last[s] >= 0) release.get(last[s]).add(s);
        for (int i = 0; i < steps.size(); i++) {
            Step st = steps.get(i);
            steps.set(i, new Step(st.description, st.kernel, st.in, st.out, release.get(i).stream().mapToInt(Integer::intValue).toArray()));
        }
    }

    /**
     * Runs the graph. Inputs are {@link Tensor}s (float inputs) or {@link IntTensor}s (integer
     * inputs such as token ids and masks), keyed by graph input name. Returns every graph output
     * by name, as float tensors (integer outputs converted).
     */
    public Map<String, Tensor> run(Map<String, ?> feeds) {
        Value[] vals = fixed.clone();
        for (Input in : inputs) {
            Object f = feeds.get(in.name);
            if (f == null) throw new IllegalArgumentException("missing input '" + in.name + "'; the model's inputs are " + inputNames());
            vals[in.slot] = bind(in, f);
        }
        for (String k : feeds.keySet()) {
            if (inputs.stream().noneMatch(i -> i.name.equals(k))) {
                throw new IllegalArgumentException("unknown input '" + k + "'; the model's inputs are " + inputNames());
            }
        }
        for (Step s : steps) {
            Value[] args = new Value[s.in.length];
            for (int i = 0; i < args.length; i++) args[i] = s.in[i] < 0 ? null : vals[s.in[i]];
            try {
                if (s.out.length == 1) {
                    vals[s.out[0]] = s.kernel.run(args);
                } else {
                    Value[] results = s.kernel.runAll(args);
                    for (int i = 0; i < s.out.length; i++) if (s.out[i] >= 0) vals[s.out[i]] = results[i];
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(s.description + " failed on inputs " + Arrays.toString(args) + ": " + e.getMessage(), e);
            }
            for (int r : s.release) vals[r] = null;
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < outputSlots.length; i++) out.put(outputNames.get(i), vals[outputSlots[i]].asFloatTensor());
        return out;
    }

    /** {@link #run} without recording a graph, for inference. */
    public Map<String, Tensor> predict(Map<String, ?> feeds) {
        try (var g = GradMode.noGrad()) {
            return run(feeds);
        }
    }

    private static Value bind(Input in, Object feed) {
        Value v = switch (feed) {
            case Tensor t -> in.type == null || in.type.isFloat() ? Value.of(t) : exactIntegers(in, t);
            case IntTensor t -> in.type == null || !in.type.isFloat() ? Value.of(t) : Value.of(Value.of(t).asFloatTensor());
            default -> throw new IllegalArgumentException("input '" + in.name + "' must be a Tensor or an IntTensor, got " + feed.getClass().getSimpleName());
        };
        if (in.dims != null) {
            int[] s = v.shape();
            boolean ok = s.length == in.dims.length;
            for (int i = 0; ok && i < s.length; i++) ok = in.dims[i] < 0 || in.dims[i] == s[i];
            if (!ok) throw new IllegalArgumentException("input '" + in.name + "' must have shape " + in.declared + ", got " + Shape.str(s));
        }
        return v;
    }

    private static Value exactIntegers(Input in, Tensor t) {
        float[] f = t.toArray();
        long[] v = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            v[i] = (long) f[i];
            if (v[i] != f[i]) throw new IllegalArgumentException("input '" + in.name + "' is " + in.type + " but holds the non-integer " + f[i]);
        }
        return Value.ofInts(v, t.shape(), in.type);
    }

    /** Runs a model with exactly one input and returns its first output. */
    @Override
    public Tensor forward(Tensor input) {
        if (inputs.size() != 1) throw new IllegalArgumentException("forward(Tensor) needs a model with one input; this one has " + inputNames() + ": use run(Map)");
        return run(Map.of(inputs.get(0).name, input)).get(outputNames.get(0));
    }

    public List<String> inputNames() {
        return inputs.stream().map(Input::name).toList();
    }

    public List<String> outputNames() {
        return Collections.unmodifiableList(outputNames);
    }

    /**
     * Caps every value the graph computes from data-dependent shapes at {@code elements} elements
     * (default: {@code -Dgradus.onnx.maxElements}, else 2^28 or a sixteenth of the heap); a node that would
     * exceed it fails naming itself and the shape. Returns this model.
     */
    public OnnxModel limitElements(long elements) {
        limit.set(elements);
        return this;
    }

    /** The most elements one computed value may have (see {@link #limitElements}). */
    public long elementLimit() {
        return limit.max();
    }

    /** The version of the default ONNX operator set that the file imports. */
    public int opset() {
        return opset;
    }

    /** The float initializers by their names in the file (the same tensors as the parameters). */
    public Map<String, Tensor> initializers() {
        return Collections.unmodifiableMap(initializers);
    }

    /** Describes the import; an OnnxModel is rebuilt by loading its file again, not from this config. */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", "OnnxModel");
        c.put("opset", opset);
        c.put("inputs", inputNames());
        c.put("outputs", outputNames());
        c.put("nodes", steps.size());
        return c;
    }
}
