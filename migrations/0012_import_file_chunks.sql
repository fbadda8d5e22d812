-- An uploaded import file waiting between its dry run and its apply is
-- kept in chunks, so that neither keeping it nor reading it back holds
-- the whole file in memory.
CREATE TABLE import_file_chunks (
    file_id bigint NOT NULL REFERENCES import_files (id) ON DELETE CASCADE,
    seq     integer NOT NULL,
    data    bytea NOT NULL,
    PRIMARY KEY (file_id, seq)
);
INSERT INTO import_file_chunks (file_id, seq, data) SELECT id, 0, content FROM import_files;
ALTER TABLE import_files DROP COLUMN content;
