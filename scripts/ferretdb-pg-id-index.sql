-- Indexes FerretDB's look-ups by _id on PostgreSQL (the real-server stack of
-- `make test-real`; scripts/realstack.sh applies this file to the ferretdb
-- database on every start, so it is idempotent).
--
-- FerretDB v1.24.2 finds documents by _id with
--     SELECT _jsonb FROM "<db>"."<table>" WHERE _jsonb->$1 @> $2
-- ($1 = '_id'), but its _id index is a unique B-tree on (_jsonb->'_id'),
-- which serves its updates and deletes (`_jsonb->'_id' = $2`) and cannot
-- serve @>, so every find by _id scans the collection's table. A GIN index on
-- the same expression can serve @>.
--
-- 1. A GIN (jsonb_path_ops) index on (_jsonb->'_id'), named
--    shop_id_lookup_<table oid>, on every collection table: an event trigger
--    adds it in the same transaction as FerretDB's CREATE TABLE, so no query
--    ever sees a collection without it, and the DO block below adds it to
--    tables that existed before the trigger. FerretDB's metadata does not
--    list it (listIndexes is unchanged); dropping the collection drops it.
--
-- 2. plan_cache_mode = force_custom_plan for the database. FerretDB runs its
--    queries as prepared statements, and the key is a parameter: a generic
--    plan sees `_jsonb->$1`, which matches no index, so only a plan made for
--    the actual parameters ('_id') can use one. PostgreSQL's default (auto)
--    switches a statement to its generic plan after five executions when
--    that looks no dearer, for instance while the table is still small or
--    before the index existed, and then keeps scanning.

SET client_min_messages = warning; -- no "already exists, skipping" notices

CREATE OR REPLACE FUNCTION shop_ferretdb_id_index(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	ns oid;
	idx text := 'shop_id_lookup_' || tbl::oid;
BEGIN
	SELECT relnamespace INTO ns FROM pg_class WHERE oid = tbl;
	-- Checked before CREATE INDEX IF NOT EXISTS, which would lock the table
	-- against writes (until the end of the transaction) even when the index
	-- exists.
	IF EXISTS (SELECT 1 FROM pg_class WHERE relnamespace = ns AND relname = idx) THEN
		RETURN;
	END IF;
	-- A collection table: a table with a _jsonb column in a schema that holds
	-- FerretDB's metadata table, other than that table itself.
	IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relnamespace = ns AND relname = '_ferretdb_database_metadata')
		OR (SELECT relname FROM pg_class WHERE oid = tbl) = '_ferretdb_database_metadata'
		OR NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = tbl AND attname = '_jsonb' AND NOT attisdropped)
	THEN
		RETURN;
	END IF;
	-- fastupdate off: new documents go straight into the index rather than
	-- into a pending list that every look-up would have to read through.
	EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb->''_id'') jsonb_path_ops) WITH (fastupdate = off)',
		idx, tbl);
END
$$;

CREATE OR REPLACE FUNCTION shop_ferretdb_id_index_on_create() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
	cmd record;
BEGIN
	FOR cmd IN SELECT objid FROM pg_event_trigger_ddl_commands()
		WHERE command_tag = 'CREATE TABLE' AND object_type = 'table'
	LOOP
		PERFORM shop_ferretdb_id_index(cmd.objid::regclass);
	END LOOP;
END
$$;

DROP EVENT TRIGGER IF EXISTS shop_ferretdb_id_index;
CREATE EVENT TRIGGER shop_ferretdb_id_index ON ddl_command_end
	WHEN TAG IN ('CREATE TABLE')
	EXECUTE FUNCTION shop_ferretdb_id_index_on_create();

DO $$
DECLARE
	t regclass;
BEGIN
	FOR t IN SELECT c.oid FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
	LOOP
		PERFORM shop_ferretdb_id_index(t);
	END LOOP;
END
$$;

ALTER DATABASE ferretdb SET plan_cache_mode = force_custom_plan;
