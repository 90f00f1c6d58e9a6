export { DataDirInUseError, lockDataDir } from './data-dir-lock.js';
export {
  type Database,
  type OpenOptions,
  type Orm,
  openDatabase,
  type PoolStats,
  prepared,
  type Queryable,
  rows,
  type Tx,
  writeTogether,
} from './database.js';
export { MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from './migrate.js';
