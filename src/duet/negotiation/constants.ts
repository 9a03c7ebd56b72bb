// Limits and tuning values of the wired negotiator, each with its reason (STYLE 5). The pure
// core's values (EWMA weight, drift factor, sample sizes) are in src/negotiator/constants.ts.

/** Capability strings naming a codec this side decodes: `codec:xz`. */
export const CODEC_CAPABILITY_PREFIX = 'codec:';

/** Transfer ids of link probes start with this, so neither side mistakes them for data. */
export const PROBE_TRANSFER_PREFIX = 'duet-probe-';

/**
 * Bytes of the latency probe. Tiny, so its time is the path's fixed cost per transfer (the
 * announce, a Flight ticket, the first frame), which is what choose() calls the path's RTT.
 */
export const PROBE_LATENCY_BYTES = 8;

/**
 * First throughput probe. Equal to the smallest transfer the EWMA learns from
 * (LINK_MIN_THROUGHPUT_SAMPLE_BYTES): below it, time is mostly per-message overhead. On a
 * 2 Mbit/s link it already lasts ~270 ms, so slow links are never probed with more.
 */
export const PROBE_START_BYTES = 64 * 1024;

/**
 * The largest throughput probe. 4 MiB is one Arrow batch; at loopback speeds it still takes
 * only ~10-30 ms, and it caps what a probe can cost on a link that turns out slow after all.
 */
export const PROBE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * A throughput probe that moves its bytes faster than this is grown (x PROBE_GROWTH), because
 * timer resolution and scheduling noise (a few ms on a busy 2-core machine) would dominate it.
 */
export const PROBE_MIN_MS = 40;

/** Growth factor between throughput probes: 64 KiB, 256 KiB, 1 MiB, 4 MiB. */
export const PROBE_GROWTH = 4;

/** One probe transfer (one size on one path) gives up after this: the path is then left at the prior. */
export const PROBE_TIMEOUT_MS = 15_000;

/**
 * Estimate used for a path that has not been (or could not be) probed: 10 Mbit/s, 50 ms. A
 * middle guess, so that neither a very slow nor a very fast link is badly served before the
 * first real transfer corrects it.
 */
export const LINK_PRIOR_BYTES_PER_SECOND = 1_250_000;
export const LINK_PRIOR_RTT_MS = 50;

/**
 * Link time one record batch should take on the arrow-flight path. The hub's relay forwards
 * whole messages, so when the sender is far from the hub the receiver's download of a batch
 * starts only once its upload has ended: a transfer takes about one batch's link time longer
 * than the link needs. With the default 4 MiB batch, 1 MB across a 20 Mbit/s link took 855 ms,
 * with 62 kB batches 474 ms (bench:relay-latency, sender and receiver across the link). 25 ms bounds
 * that bubble, and keeps batches large enough on fast links (~600 kB at 200 Mbit/s, the default
 * 4 MiB from ~1.3 Gbit/s) that their fixed cost (~0.15 ms each here) stays under 1%.
 */
export const RELAY_BATCH_LINK_MS = 25;

/**
 * The smallest batch the link sizing picks: below ~32 KiB a batch's own framing (Arrow header,
 * seal tag, gRPC and HTTP/2 framing, a few hundred bytes) and its fixed CPU cost start to show.
 */
export const RELAY_MIN_BATCH_BYTES = 32 * 1024;

/**
 * Bytes per codec and dtype timed when the negotiator first needs that dtype, and how many
 * timed runs (median, after one warm-up). The pure core's COST_SAMPLE_BYTES x COST_SAMPLE_RUNS
 * (1 MiB x 3) took 1.3-3 s per dtype here (xz codes the noisy synthetic sample at ~1-2 MB/s);
 * 64 KiB x 3 takes ~0.2-0.5 s. One run was too few: in a fresh process the JS codecs are not
 * yet optimised (sparse timed 33 MB/s on its first run, ~150 MB/s on later ones). These speeds
 * only decide what is worth sampling, and only ever go up (the negotiator keeps the best seen).
 */
export const NEGOTIATOR_COST_SAMPLE_BYTES = 64 * 1024;
/**
 * Lossy codecs are timed on 1 MiB instead: DGC's cost per element falls with size (it samples a
 * fixed number of elements for its threshold), so on 64 KiB it looked slower than top-k (107 vs
 * 247 MB/s) while on a 4 MB gradient it is 2-3x faster; the benchmark then picked top-k on fast
 * links where DGC took half the time. Both take ~2-7 ms a run on 1 MiB.
 */
export const NEGOTIATOR_LOSSY_COST_SAMPLE_BYTES = 1024 * 1024;
export const NEGOTIATOR_COST_RUNS = 3;

/**
 * Sampling a payload (ratio and speed per candidate codec) may take about this share of
 * sending it raw, by the start-up speeds; the sample shrinks to fit (NegotiateInput.sampleBudgetShare).
 * 3% keeps the negotiator within the 1.10x-of-oracle target even when it then sends raw.
 */
export const SAMPLE_BUDGET_SHARE = 0.03;

/**
 * Codecs are pruned unsampled only if they could not beat raw even at this many times their
 * start-up speed (NegotiateInput.pruneSlack): start-up speeds come from a small synthetic
 * sample and measured 2-2.5x below the same codecs on real payloads here.
 */
export const PRUNE_SLACK = 2;

/**
 * Untimed warm-up encodes per codec before its start-up timing, stopping early once a codec
 * has spent COST_WARMUP_MS: V8 optimises the JS codecs only after a few calls (sparse timed
 * 108 MB/s on its first 64 KiB, 317 MB/s a few calls later), while xz (native) needs none.
 */
export const COST_WARMUP_RUNS = 5;
export const COST_WARMUP_MS = 20;

/** Outgoing transfers remembered until their receiver's report arrives; older ones are forgotten. */
export const MAX_AWAITED_REPORTS = 256;

/** Lossy codec ids a peer's consent may list; codec ids are short and few. */
export const MAX_CONSENT_CODECS = 32;

/**
 * A drifted path is re-probed before a transfer only if its last probe took at most this
 * share of what the transfer's bytes take raw on that path (the most any codec could save).
 * A probe grows until it lasts PROBE_MIN_MS, plus fixed costs per probe transfer, so on fast
 * links it outlasts the transfer it would inform: the negotiator benchmark measured 100-250 ms
 * re-probes of arrow-flight before 4 MB transfers that take 15-40 ms on loopback, and ~75 ms
 * before ~170 ms ones at 200 Mbit/s. Deferred, the path stays marked and is re-probed before
 * a transfer large enough; meanwhile every transfer's report still moves its estimate (EWMA).
 */
export const REPROBE_MAX_SHARE = 0.25;

/**
 * The longest drift streak re-probes back off to (from LINK_DRIFT_STREAK, doubling each time
 * a re-probe confirms the last one): 48 transfers, so a link that really changes is still
 * noticed within a working session.
 */
export const MAX_DRIFT_STREAK = 48;

/**
 * Transfers whose encode time the negotiator waits for, to learn each codec's speed on whole
 * tensors (PayloadMemory.observeEncode). One is dropped when its transfer fails before being
 * announced; past this many the oldest go.
 */
export const MAX_ENCODES_WATCHED = 256;
