package gradus.nn;

/** How a loss combines per-element values: their mean (the default), their sum, or none (one value per element). */
public enum Reduction { MEAN, SUM, NONE }
