package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"ismsd/internal/authz"
	"ismsd/internal/catalogimport"
	"ismsd/internal/config"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/server"
	"ismsd/internal/validation"
)

func runServe(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlagSet("serve", "serve [flags]", out)
	config.Register(fs)
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

	if err := ensureSomeCatalog(ctx, e, log); err != nil {
		return err
	}

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

// ensureSomeCatalog stores the demo excerpt when no catalog exists yet, so
// that catalog pages and the demo work before the official Kompendium is
// imported.
func ensureSomeCatalog(ctx context.Context, e *env, log *slog.Logger) error {
	cs, err := e.db.ListCatalogs(ctx)
	if err != nil || len(cs) > 0 {
		return err
	}
	res, err := catalogimport.New(e.db, e.cfg.CatalogMaxBytes).ImportDemo(ctx, cliActor())
	if err != nil {
		return fmt.Errorf("store the demo catalog: %w", err)
	}
	log.Info("stored the demo catalog excerpt; import the official Kompendium with 'ismsd catalog fetch' or on the catalogs page",
		"catalog", res.Catalog.ID, "modules", res.Modules, "requirements", res.Requirements)
	return nil
}
