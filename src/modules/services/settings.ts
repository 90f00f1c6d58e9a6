import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../core/config/index.js';

/** The catalogue shipped with the platform, beside the code so any working directory finds it. */
export const SHIPPED_CATALOGUE = fileURLToPath(new URL('../../catalogue/services', import.meta.url));

export interface ServicesSettings {
  catalogueDir: string;
  /** How often overdue tasks are looked for and escalated; 0 = never. */
  slaCheckSeconds: number;
}

export function servicesSettings(config: Config): ServicesSettings {
  return {
    catalogueDir: config.SERVICES_CATALOGUE_DIR
      ? path.resolve(config.SERVICES_CATALOGUE_DIR)
      : SHIPPED_CATALOGUE,
    slaCheckSeconds: config.SERVICES_SLA_CHECK_SECONDS,
  };
}
