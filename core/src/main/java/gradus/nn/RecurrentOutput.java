package gradus.nn;

import gradus.tensor.Tensor;

/**
 * What {@link Recurrent#run} returns: the output sequence [B, T, D·H] (batch-first, else [T, B, D·H]) and
 * the final states [layers·D, B, H], h and (for LSTM; null for GRU) c, as PyTorch orders them.
 */
public record RecurrentOutput(Tensor output, Tensor hidden, Tensor cell) {}
