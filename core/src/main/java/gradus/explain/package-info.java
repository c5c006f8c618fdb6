/**
 * Why a model said what it said, and how easily it is fooled. Gradient attributions ({@link Saliency},
 * {@link IntegratedGradients}, {@link SmoothGrad}, {@link GradCam}), perturbation methods ({@link Occlusion},
 * {@link Lime}, {@link KernelShap}, {@link ExactShapley}, {@link PermutationImportance}), text models' token
 * attributions and attention ({@link TransformerExplainer}), the model-randomization {@link SanityCheck}, and
 * adversarial attacks ({@link Attacks}, {@link Robustness}).
 *
 * <p>A model is a {@code UnaryOperator<Tensor>} from a batch {@code [N, ...]} to outputs {@code [N, C]} (or
 * {@code [N]} for one output): {@code Module::forward} for gradient methods (which need the graph), any
 * function for the perturbation methods.
 */
package gradus.explain;
