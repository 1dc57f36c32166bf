-- A decision row carries its facts and rules as jsonb, about 2 KB together: just over the size at
-- which PostgreSQL compresses a row's wide values (pglz) and moves them to the TOAST table, which
-- every refund request paid for with CPU and a second heap and index insert. Rows up to a page's
-- worth now stay inline and uncompressed; one larger than that is still compressed and moved.
ALTER TABLE "decisions" SET (toast_tuple_target = 8160);
