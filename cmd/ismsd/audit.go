package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"strings"

	"ismsd/internal/checkpoint"
	"ismsd/internal/config"
	"ismsd/internal/domain"
)

const auditUsage = `Usage: ismsd audit verify [flags]
       ismsd audit checkpoint [flags]

verify walks the whole hash chain of the audit trail and checks it against
the signed checkpoints in ISMS_AUDIT_CHECKPOINT_FILE (with the public key of
ISMS_AUDIT_PUBLIC_KEY_FILE, or the one of ISMS_AUDIT_KEY_FILE); it also
compares every evidence version's hash with the audit record of its upload.
It exits non-zero naming the first record that was altered, removed or
reordered, a cut-off or rewritten trail, a checkpoint whose signature does
not verify, or evidence that differs from its upload.

checkpoint writes a signed checkpoint of the trail now (the server writes
one every minute in which the trail grew), e.g. after changes made with
this command while no server runs.`

func runAudit(ctx context.Context, args []string, out io.Writer) error {
	sub, err := subcommandOf(args, auditUsage, out)
	if err != nil {
		return err
	}
	if sub != "verify" && sub != "checkpoint" {
		return usageError{fmt.Sprintf("unknown subcommand %q", sub)}
	}
	flags := newFlagSet("audit "+sub, "audit "+sub+" [flags]", out)
	if err := parseFlags(flags, args[1:]); err != nil {
		return err
	}
	cfg, log, err := loadConfig(flags)
	if err != nil {
		return err
	}
	if sub == "checkpoint" {
		return writeCheckpoint(ctx, cfg, log, out)
	}
	// The key and the checkpoints first: without them, there is nothing
	// to check the trail against.
	pub, err := verifyingKey(cfg)
	if err != nil {
		return err
	}
	cps, err := checkpoint.ReadFile(cfg.AuditCheckpointFile, pub)
	var fe *checkpoint.FileError
	switch {
	case errors.As(err, &fe):
		return fmt.Errorf("checkpoint file BROKEN: %w", err)
	case errors.Is(err, fs.ErrNotExist):
		cps = nil
	case err != nil:
		return err
	}
	e, err := openEnv(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer e.close()
	n, err := e.db.VerifyAudit(ctx, cps...)
	var ce *domain.ChainError
	if errors.As(err, &ce) {
		return fmt.Errorf("audit trail BROKEN after %d intact records: record %d: %s", n, ce.Seq, ce.Reason)
	}
	if err != nil {
		return err
	}
	if n > 0 && len(cps) == 0 {
		return fmt.Errorf("audit trail NOT ANCHORED: %d records, but no checkpoint in %s, so records removed at the end or "+
			"a rewritten trail could not be noticed; restore the file from a backup, or run 'ismsd audit checkpoint' if no "+
			"server has run yet", n, cfg.AuditCheckpointFile)
	}
	versions, bad, err := e.db.VerifyEvidence(ctx)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		lines := make([]string, 0, len(bad))
		for _, m := range bad {
			lines = append(lines, "  "+m.String())
		}
		return fmt.Errorf("evidence BROKEN: %d of %d versions differ from the audit records of their uploads:\n%s",
			len(bad), versions, strings.Join(lines, "\n"))
	}
	fmt.Fprintf(out, "audit trail intact: %d records verified", n)
	if len(cps) > 0 {
		furthest := cps[0]
		for _, cp := range cps {
			if cp.Seq > furthest.Seq {
				furthest = cp
			}
		}
		fmt.Fprintf(out, " against %d signed checkpoints (the furthest, of %s, vouches for record %d)",
			len(cps), furthest.At.UTC().Format("2006-01-02 15:04:05 UTC"), furthest.Seq)
	}
	fmt.Fprintf(out, "; %d evidence versions match the records of their uploads\n", versions)
	return nil
}

// verifyingKey is the public key that checks the checkpoints: the
// configured copy, else the one of the signing key. When both are at
// hand they must agree: a different signing key would sign a forged file.
func verifyingKey(cfg config.Config) (ed25519.PublicKey, error) {
	if cfg.AuditPublicKeyFile == "" {
		key, err := checkpoint.LoadKey(cfg.AuditKeyFile)
		if err != nil {
			return nil, fmt.Errorf("no key to check the checkpoints with (set ISMS_AUDIT_PUBLIC_KEY_FILE to a copy of the public key): %w", err)
		}
		return key.Public().(ed25519.PublicKey), nil
	}
	pub, err := checkpoint.LoadPublicKey(cfg.AuditPublicKeyFile)
	if err != nil {
		return nil, err
	}
	if key, err := checkpoint.LoadKey(cfg.AuditKeyFile); err == nil && !pub.Equal(key.Public()) {
		return nil, fmt.Errorf("the signing key %s does not belong to the public key %s: it was replaced", cfg.AuditKeyFile, cfg.AuditPublicKeyFile)
	}
	return pub, nil
}

func writeCheckpoint(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer) error {
	anchor, err := checkpoint.Open(checkpoint.Options{KeyFile: cfg.AuditKeyFile, File: cfg.AuditCheckpointFile, Syslog: cfg.AuditSyslog, Log: log})
	if err != nil {
		return err
	}
	defer anchor.Close()
	e, err := openEnv(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer e.close()
	l, written, err := anchor.Checkpoint(ctx, e.db)
	switch {
	case err != nil:
		return err
	case l.Seq == 0:
		fmt.Fprintln(out, "the audit trail is empty: nothing to anchor")
	case written:
		fmt.Fprintf(out, "checkpoint of record %d written to %s\n", l.Seq, cfg.AuditCheckpointFile)
	default:
		fmt.Fprintf(out, "%s already vouches for record %d, the newest\n", cfg.AuditCheckpointFile, l.Seq)
	}
	return nil
}
