// The data-science layer's limits, in one place, each with its reason.
// Options default to these constants and are validated with configuredLimit (src/limits.ts);
// going past one at run time is RESOURCE_EXHAUSTED naming the constant.

/**
 * Largest file a loader accepts (after gunzip). The whole file and its parsed copy live
 * in a browser tab's memory at once, and tabs are often capped near 2-4 GiB.
 */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** Most rows in one table: keeps a parsed table (and any op on it) within a tab's memory. */
export const MAX_ROWS = 2_000_000;

/** Most columns in one table: wider files are almost always a wrong delimiter or a matrix that belongs in a tensor. */
export const MAX_COLUMNS = 2_000;

/**
 * A text column with at most this many distinct values is dictionary-encoded as a category;
 * above it, it stays a plain string column (free text: mock data and group-by avoid it).
 */
export const MAX_CATEGORY_LEVELS = 1_000;

/** Most nodes in one op plan: plans are written by hand or by a notebook cell, not generated at scale. */
export const MAX_PLAN_NODES = 256;

/**
 * Most elements one plan may read and write across all its ops (the work bound). Keeps a
 * DS plan from freezing the DO's tab: ~10^8 float64 element-steps run in well under a few seconds.
 */
export const MAX_ELEMENTS_PROCESSED = 100_000_000;

/** Most elements in a plan's result (or any intermediate value): bounds memory per plan. */
export const MAX_OUTPUT_ELEMENTS = 20_000_000;

/** Most bins in a histogram: more bins than that are a release of near-raw values, not a summary. */
export const MAX_HISTOGRAM_BINS = 10_000;

/** Most rows in a generated mock sample: a mock shows the shape of the data, not a copy of it. */
export const MAX_MOCK_ROWS = 1_000;

/** Default rows in a mock sample. */
export const DEFAULT_MOCK_ROWS = 20;

/** Most requests waiting for the DO at once: a DS cannot flood the DO's queue. */
export const MAX_PENDING_REQUESTS = 100;

/** How long a request waits for the DO before it expires (ms): the DS should not wait forever. */
export const REQUEST_TIMEOUT_MS = 10 * 60 * 1000;

/** Longest reason or DO message kept with a request: it is shown in the UI and kept in the audit log. */
export const MAX_MESSAGE_CHARS = 2_000;

/** Elements of a value shown to the DO as a preview before approval. */
export const PREVIEW_ELEMENTS = 20;
