-- Schema version 6: reconcile's batches in flight.
-- Taking a batch moves the shared cursor past it at once, so that concurrent runs take
-- successive batches; the batch is recorded here under a lease until its work is done. A run
-- that dies with a batch in hand leaves its row behind: once the lease has ended, the next
-- run takes that range again before moving the cursor on, so no snapshot waits a whole pass.
CREATE TABLE IF NOT EXISTS snapctl_reconcile_batches (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	after_id uuid NOT NULL,              -- the range: booking_id > after_id
	last_id uuid NOT NULL,               --            and booking_id <= last_id
	lease_expires_at timestamptz NOT NULL
);
