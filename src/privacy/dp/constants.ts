// Differential privacy limits and parameters, each with its reason.

/**
 * Largest ε one query may spend. Above ~10 the noise is too small to protect anyone; a DO
 * who truly wants exact values should approve a release instead of pretending it is DP.
 */
export const MAX_EPSILON_PER_QUERY = 10;

/**
 * Largest δ one query may use. δ is the chance the guarantee fails outright; it must stay far
 * below 1/n for any n a DO has, and 1e-3 is already generous for a few thousand rows.
 */
export const MAX_DELTA = 1e-3;

/** δ used for Gaussian queries and RDP conversions when none is given. */
export const DEFAULT_DELTA = 1e-6;

/**
 * Real-valued queries (sums, means) are released on a grid of 2^-GRID_BITS times the
 * sensitivity: fine enough that rounding costs ~1e-6 of ε, coarse enough to keep integers small.
 */
export const GRID_BITS = 20;

/** Scales and variances are rounded up to a multiple of 2^-SCALE_FRACTION_BITS (never less noise). */
export const SCALE_FRACTION_BITS = 32;

/** Most bins in a DP histogram: each bin is one noisy release. */
export const MAX_DP_BINS = 10_000;

/** Rényi orders the RDP accountant evaluates (the usual grid, as in Opacus and TF Privacy). */
export const RDP_ORDERS: readonly number[] = [1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 48, 64, 128, 256, 512, 1024];

/** Budgets and spends are kept in integer units of 1e-9 ε (and δ), so spending exactly to a budget is exact. */
export const BUDGET_UNITS_PER_ONE = 1_000_000_000;
