package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"ismsd/internal/account"
	"ismsd/internal/authz"
	"ismsd/internal/checkpoint"
	"ismsd/internal/demo"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/server"
	"ismsd/internal/snapshot"
	"ismsd/internal/validation"
)

func runServe(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlagSet("serve", "serve [flags]", out)
	usage := fs.Usage
	fs.Usage = func() { usage(); settingsHelp(out) }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, log, err := loadConfig(fs)
	if err != nil {
		return err
	}
	started := time.Now()
	e, err := openEnv(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer e.close()
	if e.cluster != nil {
		// The server cannot work without its private PostgreSQL: should
		// it die, it is started again (Stop in e.close ends this).
		e.cluster.Supervise(ctx)
	}

	accounts, err := e.accounts()
	if err != nil {
		return err
	}
	created, generated, err := accounts.EnsureInitialAdmin(ctx, cliActor(), cfg.AdminPassword)
	switch {
	case errors.Is(err, domain.ErrConflict):
		log.Warn(err.Error())
	case err != nil:
		return fmt.Errorf("create the first account: %w", err)
	}
	if created {
		printAdminCredentials(out, cfg.BaseURL, generated)
	}

	if err := seedDemo(ctx, e, accounts, out); err != nil {
		return err
	}
	// Signed checkpoints of the audit trail, kept outside the database.
	anchor, err := checkpoint.Open(checkpoint.Options{KeyFile: cfg.AuditKeyFile, File: cfg.AuditCheckpointFile, Syslog: cfg.AuditSyslog, Log: log})
	if err != nil {
		return err
	}
	defer anchor.Close()
	stopAnchor := anchor.Start(ctx, e.db)
	defer stopAnchor()

	enforcer, err := authz.New()
	if err != nil {
		return err
	}
	reload := func() {
		grants, err := e.db.ActiveGrants(ctx)
		if err == nil {
			err = enforcer.SetGrants(grants)
		}
		if err != nil {
			log.Error("reloading role grants failed", "err", err)
		}
	}
	reload()
	go func() {
		if err := postgres.WatchGrants(ctx, e.runtimeURL, log, reload); err != nil {
			log.Error("grant watcher stopped", "err", err)
		}
	}()
	go housekeeping(ctx, e)
	// The readiness history: a snapshot shortly after the start and every
	// day after midnight in the organisation's time zone.
	go snapshot.Run(ctx, e.db, snapshot.Daily(cfg.Location), log)

	validator, err := validation.New()
	if err != nil {
		return err
	}
	srv, err := server.New(server.Deps{Config: cfg, DB: e.db, Accounts: accounts, Authz: enforcer, Validator: validator, Log: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s (ISMS_LISTEN): %w", cfg.Listen, err)
	}
	log.Info("ismsd is ready", "url", cfg.BaseURL, "listen", ln.Addr().String(), "startup_ms", time.Since(started).Milliseconds())
	return srv.Run(ctx, ln, 30*time.Second)
}

func printAdminCredentials(out io.Writer, baseURL, generated string) {
	fmt.Fprintln(out, "")
	fmt.Fprintln(out, "  First start: the account \"admin\" was created.")
	if generated != "" {
		fmt.Fprintf(out, "  Password:    %s\n", generated)
		fmt.Fprintln(out, "  It is shown only this once. Log in and change it under \"Mein Konto\".")
	} else {
		fmt.Fprintln(out, "  Its password is the one given in ISMS_ADMIN_PASSWORD.")
	}
	fmt.Fprintf(out, "  Open %s\n\n", baseURL)
}

// housekeeping removes sessions and login failures that can no longer
// matter, once an hour.
func housekeeping(ctx context.Context, e *env) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := e.db.DeleteExpired(ctx, 30*24*time.Hour); err != nil && ctx.Err() == nil {
			e.log.Warn("housekeeping failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// seedDemo stores the demo network as ISMS_DEMO says: "auto" on a
// database without any scope, "on" unless it is there, "off" never. With
// the demo comes the demo catalog excerpt, so the pages are filled before
// the official Kompendium is imported.
func seedDemo(ctx context.Context, e *env, accounts *account.Service, out io.Writer) error {
	switch e.cfg.Demo {
	case "off":
		return nil
	case "auto":
		scopes, err := e.db.ListScopes(ctx, postgres.Everything)
		if err != nil || len(scopes) > 0 {
			return err
		}
	}
	res, err := demo.Seed(ctx, e.db, accounts, cliActor())
	if err != nil {
		return fmt.Errorf("seed the demo network: %w", err)
	}
	if !res.Seeded {
		return nil
	}
	e.log.Info("seeded the demo network", "scope", res.ScopeID, "objects", res.Objects, "dependencies", res.Dependencies,
		"evidence", res.Evidence, "audits", res.Audits, "findings", res.Findings, "guideline_versions", res.Guidelines,
		"policies", res.Policies)
	fmt.Fprintf(out, "  Demo network %q seeded with %d target objects, %d evidence items, %d audits, %d findings,\n"+
		"  the guideline in %d versions, %d policies and the certificate %s.\n",
		demo.ScopeName, res.Objects, res.Evidence, res.Audits, res.Findings, res.Guidelines, res.Policies, res.Certificate)
	if pp := res.PlusPlus; pp.ScopeID != 0 {
		e.log.Info("seeded the Grundschutz++ demo scope", "scope", pp.ScopeID, "objects", pp.Objects, "entries", pp.Entries,
			"parameters_set", pp.ParamsSet, "exceptions", pp.Exceptions)
		fmt.Fprintf(out, "  Grundschutz++ demo scope %q seeded with %d target objects, %d check entries and %d exceptions.\n",
			demo.PlusPlusScopeName, pp.Objects, pp.Entries, pp.Exceptions)
	}
	if len(res.Accounts) > 0 {
		fmt.Fprintln(out, "  Demo accounts (passwords shown only now; each must be changed at the first login):")
		for _, a := range res.Accounts {
			scope := ""
			if a.Department != "" {
				scope = " for " + a.Department
			}
			fmt.Fprintf(out, "    %-16s %-28s %s%s\n", a.Username, a.Password, a.Role, scope)
		}
	}
	fmt.Fprintln(out)
	return nil
}
