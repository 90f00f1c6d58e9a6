#!/usr/bin/env node
// The operator CLI, runnable without a build step: tsx loads the TypeScript sources in this
// same process, so signals reach the command directly.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
