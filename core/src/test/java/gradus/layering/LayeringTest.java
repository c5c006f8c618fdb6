package gradus.layering;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering of docs/architecture.md, checked on core's compiled classes (Java 22 ones included): which package
 * may import which, and no package cycle but tensor ↔ autograd, a package and its subpackages counting as
 * different packages. The cli and serve modules are checked by their own LayeringTest (cli sees all three).
 */
class LayeringTest {
    static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("gradus");

    /** Each package is its own slice, except tensor and autograd: the one cycle the design keeps (a tensor records its node). */
    static final SliceAssignment PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            String p = c.getPackageName();
            if (!p.startsWith("gradus.")) return SliceIdentifier.ignore();
            if (p.equals("gradus.tensor") || p.equals("gradus.autograd")) return SliceIdentifier.of("gradus.tensor+autograd");
            return SliceIdentifier.of(p);
        }

        @Override
        public String getDescription() {
            return "gradus packages (tensor and autograd as one)";
        }
    };

    @Test
    void importedTheWholeCore() {
        // guards the rules below against passing on an empty import
        for (String c : new String[]{"gradus.nn.Layers", "gradus.models.Gpt", "gradus.io.gguf.GgufFile", "gradus.recipe.Recipe",
                "gradus.explain.Explanations", "gradus.quant.Quantization", "gradus.federated.FederatedRecipe", "gradus.inference.Predictor"}) {
            if (!CORE.contain(c)) throw new AssertionError("the layering test did not import " + c);
        }
    }

    @Test
    void noPackageCycleButTensorAutograd() {
        slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(CORE);
    }

    @Test
    void layersPointDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("files").definedBy("gradus.files..")
                .layer("config").definedBy("gradus.config..")
                .layer("kernels").definedBy("gradus.kernels..")
                .layer("gguf").definedBy("gradus.io.gguf..")
                .layer("tensor").definedBy("gradus.tensor..", "gradus.autograd..")
                .layer("nn").definedBy("gradus.nn..")
                .layer("optim").definedBy("gradus.optim..")
                .layer("text").definedBy("gradus.text..")
                .layer("data").definedBy("gradus.data..")
                .layer("metrics").definedBy("gradus.metrics..")
                .layer("privacy").definedBy("gradus.privacy..")
                .layer("io").definedBy("gradus.io", "gradus.io.onnx..")
                .layer("models").definedBy("gradus.models..")
                .layer("llm").definedBy("gradus.llm..")
                .layer("quant").definedBy("gradus.quant..")
                .layer("explain").definedBy("gradus.explain..")
                .layer("train").definedBy("gradus.train..")
                .layer("inference").definedBy("gradus.inference..")
                .layer("recipe").definedBy("gradus.recipe..")
                .layer("federated").definedBy("gradus.federated..")
                .whereLayer("files").mayNotAccessAnyLayer()
                .whereLayer("config").mayNotAccessAnyLayer()
                .whereLayer("kernels").mayOnlyAccessLayers("files")
                .whereLayer("gguf").mayOnlyAccessLayers("kernels", "files") // a tensor file format, read below the tokenizers
                .whereLayer("tensor").mayOnlyAccessLayers("kernels", "config", "files")
                .whereLayer("nn").mayOnlyAccessLayers("tensor", "kernels", "config", "files")
                .whereLayer("optim").mayOnlyAccessLayers("tensor", "kernels", "config", "files")
                .whereLayer("text").mayOnlyAccessLayers("gguf", "tensor", "kernels", "config", "files")
                .whereLayer("data").mayOnlyAccessLayers("text", "tensor", "kernels", "config", "files")
                .whereLayer("metrics").mayOnlyAccessLayers("data", "tensor", "kernels", "config", "files")
                .whereLayer("privacy").mayOnlyAccessLayers("nn", "data", "text", "tensor", "kernels", "config", "files")
                // formats: files of tensors, layers, tokenizers and preprocessing; never of the ready models above them
                .whereLayer("io").mayOnlyAccessLayers("gguf", "nn", "data", "text", "tensor", "kernels", "config", "files")
                .whereLayer("models").mayOnlyAccessLayers("io", "nn", "optim", "metrics", "text", "data", "tensor", "kernels", "config", "files")
                .whereLayer("llm").mayOnlyAccessLayers("models", "gguf", "io", "nn", "text", "tensor", "kernels", "config", "files")
                // compression and attributions of ready models (a quantized BERT, a transformer classifier's tokens); attacks are input perturbations a trainer can train on
                .whereLayer("quant").mayOnlyAccessLayers("models", "io", "nn", "tensor", "kernels", "config", "files")
                .whereLayer("explain").mayOnlyAccessLayers("train", "inference", "models", "nn", "data", "text", "tensor", "kernels", "config", "files")
                .whereLayer("train").mayOnlyAccessLayers("privacy", "io", "nn", "optim", "metrics", "data", "text", "tensor", "kernels", "config", "files")
                // the Predictor: a model directory's card, input decoding and post-processing; any Module, no ready model
                .whereLayer("inference").mayOnlyAccessLayers("io", "nn", "data", "text", "tensor", "kernels", "config", "files")
                .whereLayer("recipe").mayOnlyAccessLayers("train", "privacy", "explain", "models", "io", "nn", "optim", "metrics", "data", "text", "tensor",
                        "kernels", "config", "files")
                // rounds of local training (train) with secure aggregation and a privacy budget; the top of core
                .whereLayer("federated").mayOnlyAccessLayers("train", "privacy", "io", "nn", "optim", "metrics", "data", "text", "tensor",
                        "kernels", "config", "files")
                .check(CORE);
    }

    // The named rules, as their own checks so a failure reads as the rule it breaks.

    @Test
    void onlyTheLayersAboveModelsImportThem() {
        noClasses().that().resideInAnyPackage("gradus.nn..", "gradus.io..", "gradus.train..", "gradus.data..", "gradus.text..",
                        "gradus.kernels..", "gradus.metrics..", "gradus.optim..", "gradus.tensor..", "gradus.autograd..", "gradus.config..",
                        "gradus.files..", "gradus.privacy..", "gradus.inference..", "gradus.federated..")
                .should().dependOnClassesThat().resideInAPackage("gradus.models..")
                .because("models are built from nn and saved through io; train works on any Module")
                .check(CORE);
    }

    @Test
    void kernelsKnowNoTensors() {
        ArchRule rule = noClasses().that().resideInAPackage("gradus.kernels..")
                .should().dependOnClassesThat().resideInAnyPackage("gradus.tensor..", "gradus.autograd..", "gradus.nn..")
                .because("kernels work on arrays and segments, so a second backend plugs in below tensors");
        rule.check(CORE);
    }
}
