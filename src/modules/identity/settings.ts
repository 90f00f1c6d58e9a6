import type { Config } from '../../core/config/index.js';
import { DEFAULT_MATCH_THRESHOLDS } from './matching/index.js';
import { type UinPolicy, uinPolicy } from './uin/index.js';

/** How the register behaves, from the configuration. */
export interface IdentitySettings {
  uinPolicy: UinPolicy;
  /** Candidates scoring at least this go to a registrar before a UIN is issued. */
  reviewThreshold: number;
  /** The UIN pool is topped up to this many numbers. */
  uinPoolTarget: number;
}

export function identitySettings(config: Config): IdentitySettings {
  return {
    uinPolicy: uinPolicy({ length: config.UIN_LENGTH }),
    reviewThreshold: config.MATCH_REVIEW_THRESHOLD ?? DEFAULT_MATCH_THRESHOLDS.review,
    uinPoolTarget: config.UIN_POOL_SIZE,
  };
}
