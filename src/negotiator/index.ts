export { PATH_NAMES, capabilitiesOf, codecKinds, usableCodecs, usablePaths } from './capabilities';
export type { Capabilities, PathName } from './capabilities';
export { CodecCostModel, estimateRatios, measureCodecCosts, samplePayload, syntheticSample, timeCodec } from './cost-model';
export type { Clock, CodecCost, MeasureOptions } from './cost-model';
export { formatLinkSpeed, observeRtt, observeTransfer, probedPath } from './link';
export type { LinkOptions, PathEstimate, Transfer } from './link';
export { choose } from './choose';
export type { Candidate, ChooseInput, Choice, PayloadInfo } from './choose';
export * from './constants';
