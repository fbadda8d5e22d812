package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"ismsd/internal/config"
	"ismsd/internal/domain"
)

func runAudit(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(out, "Usage: ismsd audit verify [flags]\n\nverify walks the whole hash chain of the audit trail and exits non-zero\nnaming the first record that was altered, removed or reordered.")
		if len(args) == 0 {
			return usageError{"which subcommand?"}
		}
		return flag.ErrHelp
	}
	if args[0] != "verify" {
		return usageError{fmt.Sprintf("unknown subcommand %q", args[0])}
	}
	fs := newFlagSet("audit verify", "audit verify [flags]", out)
	config.Register(fs)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	e, err := open(ctx, fs)
	if err != nil {
		return err
	}
	defer e.close()
	n, err := e.db.VerifyAudit(ctx)
	var ce *domain.ChainError
	if errors.As(err, &ce) {
		return fmt.Errorf("audit trail BROKEN after %d intact records: record %d: %s", n, ce.Seq, ce.Reason)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "audit trail intact: %d records verified\n", n)
	return nil
}
