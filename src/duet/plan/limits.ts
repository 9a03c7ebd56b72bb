import { configuredLimit } from '../../limits';
import { MAX_ELEMENTS_PROCESSED, MAX_OUTPUT_ELEMENTS, MAX_PLAN_NODES } from '../constants';

export interface PlanLimitOptions {
  maxNodes?: number;
  maxElementsProcessed?: number;
  maxOutputElements?: number;
}

export interface PlanLimits {
  maxNodes: number;
  maxElementsProcessed: number;
  maxOutputElements: number;
}

/** The DO may tighten a plan limit, never raise it past the constant. */
export function resolvePlanLimits(opts: PlanLimitOptions = {}): PlanLimits {
  return {
    maxNodes: configuredLimit('MAX_PLAN_NODES', opts.maxNodes, MAX_PLAN_NODES, { min: 1, max: MAX_PLAN_NODES }),
    maxElementsProcessed: configuredLimit('MAX_ELEMENTS_PROCESSED', opts.maxElementsProcessed, MAX_ELEMENTS_PROCESSED, { min: 1, max: MAX_ELEMENTS_PROCESSED }),
    maxOutputElements: configuredLimit('MAX_OUTPUT_ELEMENTS', opts.maxOutputElements, MAX_OUTPUT_ELEMENTS, { min: 1, max: MAX_OUTPUT_ELEMENTS }),
  };
}
