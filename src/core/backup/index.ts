export { type BackupSource, type BackupSummary, createBackup } from './backup.js';
export { BackupError } from './format.js';
export { type RestoreTarget, restoreBackup } from './restore.js';
