-- Appending to the audit chain in one round trip. audit.append takes the chain lock, reads the
-- head, links each entry to the one before it and inserts them, all inside the server. It is
-- VOLATILE (the default), so its head read gets a snapshot taken after the lock was granted and
-- sees the entries of whoever held the lock before; a single statement reading the head after
-- taking the lock would not. The lock is then held for this call and the commit, where it was
-- held for three round trips and the commit: the lock bounds changes per second.
--
-- Each entry comes with its canonical JSON (RFC 8785) cut where the previous hash goes, `head`
-- before and `tail` after it, so the hash is the SHA-256 of head || prev_hash || tail: the same
-- text hashEntry() hashes, made by the same canonicaliser (src/core/audit/hash.ts).
CREATE FUNCTION audit.append(lock_key bigint, entries jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  prev text;
  entry jsonb;
  linked text;
BEGIN
  PERFORM pg_advisory_xact_lock(lock_key);
  SELECT seq, hash INTO head_seq, prev FROM audit.entries ORDER BY seq DESC LIMIT 1;
  head_seq := coalesce(head_seq, 0);
  prev := coalesce(prev, repeat('0', 64));
  FOR entry IN SELECT e.value FROM jsonb_array_elements(entries) WITH ORDINALITY AS e (value, n) ORDER BY e.n LOOP
    head_seq := head_seq + 1;
    linked := encode(sha256(convert_to((entry->>'head') || prev || (entry->>'tail'), 'UTF8')), 'hex');
    INSERT INTO audit.entries (seq, id, at, actor, action, subject, purpose, before, after, request_id, prev_hash, hash)
    VALUES (head_seq, (entry->>'id')::uuid, (entry->>'at')::timestamptz, entry->'actor', entry->>'action',
            entry->'subject', entry->>'purpose', entry->'before', entry->'after', entry->>'requestId', prev, linked);
    prev := linked;
  END LOOP;
END
$$;
