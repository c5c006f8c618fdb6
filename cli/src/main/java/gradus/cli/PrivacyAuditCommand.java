package gradus.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import gradus.data.datasets.Datasets;
import gradus.io.ModelDirectory;
import gradus.privacy.MembershipAudit;
import gradus.train.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "privacy-audit", description = {"Membership inference against a saved classifier: how well the loss-threshold and",
        "confidence attacks tell its training examples (--train) from unseen ones (--test), as ROC AUC (0.5 = no leak)."})
final class PrivacyAuditCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL_DIR")
    Path modelDir;

    @Option(names = "--train", required = true, paramLabel = "SPEC", description = "The data the model was trained on (members).")
    String train;

    @Option(names = "--test", required = true, paramLabel = "SPEC", description = "Data from the same distribution it never saw (non-members).")
    String test;

    @Option(names = "--max-examples", defaultValue = "10000", description = "At most this many from each set (default ${DEFAULT-VALUE}).")
    int maxExamples;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the subsampling.")
    long seed;

    @Mixin DataDirOption dataDir;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (maxExamples < 1) throw new IllegalArgumentException("--max-examples must be at least 1, got " + maxExamples);
        var loaded = ModelDirectory.load(modelDir);
        var card = loaded.card();
        if (card.loss() != null && Evaluation.probabilities(card.loss())) {
            throw new IllegalArgumentException(modelDir + " outputs probabilities (loss " + card.loss() + "); the audit needs a classifier trained with cross_entropy");
        }
        var result = MembershipAudit.run(loaded.model(), Datasets.openFor(train, dataDir.dir, card.classNames(), card.scaler()),
                Datasets.openFor(test, dataDir.dir, card.classNames(), card.scaler()), maxExamples, seed);
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("members", result.members());
            out.put("non_members", result.nonMembers());
            out.put("member_loss", result.memberLoss());
            out.put("non_member_loss", result.nonMemberLoss());
            for (var a : new MembershipAudit.Attack[]{result.loss(), result.confidence()}) {
                out.put(a.name(), Map.of("auc", a.auc(), "advantage", a.advantage(), "tpr_at_1pct_fpr", a.tprAtOnePercentFpr()));
            }
            if (loaded.config().get("privacy") instanceof Map<?, ?> p) out.put("privacy", p);
            System.out.println(new ObjectMapper().writeValueAsString(out));
            return 0;
        }
        System.out.printf("%,d members vs %,d non-members; mean loss %.4f vs %.4f%n", result.members(), result.nonMembers(),
                result.memberLoss(), result.nonMemberLoss());
        for (var a : new MembershipAudit.Attack[]{result.loss(), result.confidence()}) {
            System.out.printf("%-15s AUC %.4f  advantage (max TPR - FPR) %.4f  TPR at 1%% FPR %.4f%n", a.name(), a.auc(), a.advantage(), a.tprAtOnePercentFpr());
        }
        System.out.println("0.5 means the attack does no better than chance; these attacks bound the leak from below only.");
        return 0;
    }
}
