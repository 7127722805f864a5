-- readmodels/0000: what 0001 and 0002 assume. They were written for the home-made projection engine, whose own
-- component ("projections", deleted when the read models moved onto Marten's async daemon) created schema readmodel
-- and the checkpoint table that 0002 resets. They stay byte-identical (the migrator checks their checksums), so on a
-- new database this script provides the two; on a database where they ran long ago it changes nothing. 0003 removes
-- the engine's remains. Numbered 0000 so that it runs first on a new database.
CREATE SCHEMA IF NOT EXISTS readmodel;
CREATE SCHEMA IF NOT EXISTS projections;
CREATE TABLE IF NOT EXISTS projections.projection_checkpoints (
    name     text        PRIMARY KEY,
    position bigint      NOT NULL DEFAULT 0,
    updated  timestamptz NOT NULL DEFAULT clock_timestamp()
);
