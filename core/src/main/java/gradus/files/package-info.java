/**
 * File plumbing every other package may use (kernels' calibration cache, tokenizer files, model directories):
 * atomic writes and the error a reader throws for a malformed file. It depends on nothing else in Gradus, so
 * it sits below the whole layering (docs/architecture.md).
 */
package gradus.files;
