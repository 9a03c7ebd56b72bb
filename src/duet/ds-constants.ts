// Limits and defaults of the remote data-science session (owner.ts, scientist.ts), each with its
// reason. The pure layer's limits (plans, requests, DP) are in constants.ts and privacy/dp.

/**
 * Most elements one request may release. A release is a result for a person to read or plot,
 * not a copy of the data set; 10^7 float64s are 80 MB, which crosses a DataChannel in about
 * two seconds and fits a tab's memory beside everything else. Checked from the inferred type
 * when the request is made, so the DO is never asked to approve what could not be sent.
 */
export const MAX_RELEASE_ELEMENTS = 10_000_000;

/**
 * How long past a request's deadline the DS waits for the DO's word before failing on its own.
 * The DO expires the request at its deadline and says so; this covers a DO that went silent.
 */
export const RELEASE_GRACE_MS = 10_000;

/**
 * Decisions kept for one scientist who is away when the DO decides (see undelivered.ts), each
 * until the scientist's get() gives up (the request's deadline plus RELEASE_GRACE_MS). A DS
 * has a handful of requests open at once; 64 leaves room, and bounds what an absent peer pins
 * in the DO's memory (each holds a reference to an approved value, which its pointer holds too).
 */
export const MAX_UNDELIVERED_PER_SCIENTIST = 64;

/**
 * How long a DS call that is safe to repeat (listing, budgets, mocks, a value request, which
 * the DO knows by its transfer id) waits for the link to come back when it dropped under the
 * call, before failing. The hub keeps a dropped peer's slot for RESUME_GRACE_MS (30 s); a
 * rebuilt DataChannel takes a few seconds.
 */
export const CALL_RECONNECT_WAIT_MS = 30_000;

/** Longest transfer id a DS may choose: ids are random hex, 32 characters from the DS's side. */
export const MAX_TRANSFER_ID_CHARS = 64;

/**
 * The privacy budget each new scientist gets on each asset unless the DO says otherwise:
 * ε = 1 (a common single-study budget) and δ = 10^-5 (far below 1/n for the demo data), with
 * RDP composition, which is never looser than basic composition.
 */
export const DEFAULT_BUDGET = { epsilon: 1, delta: 1e-5, composition: 'rdp' } as const;

/** What a DS's `get()` says when no reason was given: the DO still sees who asked and for what. */
export const NO_REASON = 'No reason given';
