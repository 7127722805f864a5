-- storage/0002: a snapshot's state kept compressed in its row (issue 13, first touches: docs/performance.md "A year
-- snapshot every 50 versions").
--
-- PostgreSQL toasts a row once it is over toast_tuple_target (about 2 KB by default): it compresses the state and, the
-- row still over 2 KB, moves it into the table's TOAST relation in chunks. A year's state (about 4.2 KB compressed in
-- the benchmark) went out of line, so fetching the newest row of a stream read the row's page, the TOAST index and two
-- or three chunk pages. A first touch looks up a year and a Renstra row (and the read models' daemon the same again), so
-- on a database larger than memory those pages came from the disk at every first touch. With the target at its
-- largest (a page), a row is compressed only when it would not fit a page, and its state goes out of line only when it
-- still would not fit compressed (a plan of very many indicators): one heap page per row otherwise.
--
-- (STORAGE MAIN on the state column alone does not do it: the row still over 2 KB, PostgreSQL first moves the small
-- bytea columns, event_hash and mac, out of line, which costs a TOAST fetch for every row read.)
--
-- Only rows written afterwards are stored this way; older ones stay as they are until newer snapshots supersede them.
-- Nothing else changes: the same bytes, the same MAC, derived data as before.

ALTER TABLE ledger_cache.stream_snapshots SET (toast_tuple_target = 8160);
