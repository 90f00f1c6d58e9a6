-- The duplicate search is many small index lookups per registration, run by many registrations at
-- once. At national scale the planner starts parallel workers for some of them, which costs more
-- than it saves on a busy server (measured at 2.3 million people: the slowest searches were the
-- parallel ones). Scans of the register stay in the backend that asked.
ALTER TABLE identity.persons SET (parallel_workers = 0);
