-- test/clients/node/schema.sql: the application's own table, with a
-- foreign key to usrmgmt."user" (the application recipe grants
-- REFERENCES).  Applied by `npm run migrate` as the application role; an
-- application with a migration tool keeps this in that tool's history,
-- never in usrmgmt's.
CREATE TABLE IF NOT EXISTS note (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES usrmgmt."user" (id) ON DELETE CASCADE,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS note_user_id_idx ON note (user_id);
