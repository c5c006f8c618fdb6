package gradus.spark;

import java.io.Serializable;
import java.util.Map;

/**
 * Everything a worker needs to build its replica and train, shipped with the barrier stage: the model's config and
 * starting weights, the optimizer config, the loss name and the plan.
 */
record TrainingSpec(Map<String, Object> modelConfig, Weights initial, Map<String, Object> optimizerConfig, String loss,
                    int[] exampleShape, boolean labeled, int targetSize, ShardPlan plan, int epochs, double clipGradNorm,
                    int bucketFloats, String checkpointDir, int checkpointEvery, StepListener listener) implements Serializable {
    int totalSteps() {
        return epochs * plan.stepsPerEpoch();
    }
}
