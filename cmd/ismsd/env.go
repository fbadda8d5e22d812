package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"

	"ismsd/internal/account"
	"ismsd/internal/config"
	"ismsd/internal/domain"
	"ismsd/internal/pgserver"
	"ismsd/internal/postgres"
)

// Names inside the private cluster.
const (
	privateDatabase = "ismsd"
	privateAppRole  = "ismsd_app"
)

// env is what every subcommand that touches data works with.
type env struct {
	cfg        config.Config
	log        *slog.Logger
	db         *postgres.DB
	runtimeURL string // what the server connects with (also for LISTEN)
	cluster    *pgserver.Cluster
	applied    []string // migrations applied while opening
}

// loadConfig reads settings from the environment and the flags of fs.
func loadConfig(fs *flag.FlagSet) (config.Config, *slog.Logger, error) {
	cfg, err := config.Load(os.Getenv, fs)
	if err != nil {
		return cfg, nil, usageError{err.Error()}
	}
	return cfg, newLogger(cfg), nil
}

func newLogger(cfg config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	format := cfg.LogFormat
	if format == "" {
		format = "json"
		if isTerminal(os.Stderr) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

// open reads the settings (environment and the flags of fs) and opens the
// store as openEnv does.
func open(ctx context.Context, fs *flag.FlagSet) (*env, error) {
	cfg, log, err := loadConfig(fs)
	if err != nil {
		return nil, err
	}
	return openEnv(ctx, cfg, log)
}

// openEnv connects to the configured database, or starts (or joins) the
// private cluster in the data folder, and applies pending migrations.
func openEnv(ctx context.Context, cfg config.Config, log *slog.Logger) (*env, error) {
	e := &env{cfg: cfg, log: log}
	ownerURL, runtimeRole := cfg.MigrationDatabaseURL, ""
	if cfg.DatabaseURL != "" {
		e.runtimeURL = cfg.DatabaseURL
		if ownerURL == "" {
			ownerURL = cfg.DatabaseURL
		}
	} else {
		bin, err := pgserver.FindBinDir(cfg.PGBin)
		if err != nil {
			return nil, err
		}
		c, err := pgserver.Start(ctx, pgserver.Options{Dir: cfg.DataDir, BinDir: bin, Durable: true, Logger: log})
		if err != nil {
			return nil, err
		}
		e.cluster = c
		if err := postgres.Bootstrap(ctx, c.URL("postgres"), privateDatabase, privateAppRole); err != nil {
			e.close()
			return nil, err
		}
		ownerURL, runtimeRole = c.URL(privateDatabase), privateAppRole
		e.runtimeURL = c.URLFor(privateAppRole, privateDatabase)
	}
	db, err := postgres.Open(ctx, e.runtimeURL, cfg.DBMaxConns, log)
	if err != nil {
		e.close()
		return nil, err
	}
	e.db = db
	if runtimeRole == "" {
		if runtimeRole, err = db.CurrentRole(ctx); err != nil {
			e.close()
			return nil, err
		}
	}
	applied, err := postgres.Migrate(ctx, ownerURL, runtimeRole)
	if err != nil {
		e.close()
		return nil, err
	}
	for _, m := range applied {
		log.Info("applied migration", "migration", m)
	}
	e.applied = applied
	if can, err := db.CanAlterAuditLog(ctx); err == nil && can {
		log.Warn("the server's database role could alter the audit trail; set ISMS_MIGRATION_DATABASE_URL to a separate owner role so that it cannot", "role", runtimeRole)
	}
	return e, nil
}

// close releases the database and stops the private cluster if this
// process started it.
func (e *env) close() {
	if e.db != nil {
		e.db.Close()
	}
	if e.cluster != nil {
		if err := e.cluster.Stop(); err != nil {
			e.log.Error("stopping PostgreSQL", "err", err)
		}
	}
}

func (e *env) accounts() (*account.Service, error) {
	c := account.DefaultConfig
	c.SessionIdle, c.SessionMaxAge = e.cfg.SessionIdle, e.cfg.SessionMaxAge
	return account.New(e.db, c, e.log)
}

// cliActor is who acts in the audit trail when an operator runs a command.
func cliActor() domain.Actor {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	b := make([]byte, 8)
	rand.Read(b)
	return domain.Actor{Name: "cli:" + name, RequestID: "cli-" + hex.EncodeToString(b), ClientAddr: "local"}
}

// settingsHelp lists every setting for --help.
func settingsHelp(w io.Writer) {
	fmt.Fprintln(w, "\nSettings (environment variable, or the flag of the same name):")
	for _, s := range config.Settings {
		def := ""
		if s.Default != "" {
			def = " (default " + s.Default + ")"
		}
		fmt.Fprintf(w, "  %-28s --%s%s\n      %s\n", s.Env, s.Flag, def, s.Help)
	}
}
