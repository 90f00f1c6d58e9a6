import type { TestProject } from 'vitest/node';
import { prepareTemplates } from './database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    template: { pgliteDump?: string; serverTemplate?: string };
  }
}

/** Migrates one template database per run; every test file then starts from a copy of it. */
export default async function setup(project: TestProject) {
  const template = await prepareTemplates();
  project.provide('template', template.provided);
  return template.teardown;
}
