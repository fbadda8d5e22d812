package main

import (
	"context"
	"fmt"
	"io"

	"ismsd/internal/postgres"
)

func runMigrate(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlagSet("migrate", "migrate [flags]", out)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"migrate takes no arguments"}
	}
	e, err := open(ctx, fs)
	if err != nil {
		return err
	}
	defer e.close()
	v, err := e.db.MigrationVersion(ctx)
	if err != nil {
		return err
	}
	for _, m := range e.applied {
		fmt.Fprintf(out, "applied %s\n", m)
	}
	fmt.Fprintf(out, "database schema at version %d (this build: %d)\n", v, postgres.LatestMigration())
	return nil
}
