// Package config reads the ISMS_* settings from the environment, with
// command-line flags of the same name as overrides.
package config

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"ismsd/internal/checkpoint"
)

// Config is every setting of ismsd.
type Config struct {
	DatabaseURL          string
	MigrationDatabaseURL string
	DataDir              string
	PGBin                string
	Listen               string
	BaseURL              string
	AdminPassword        string
	LogFormat            string
	LogLevel             slog.Level
	SessionIdle          time.Duration
	SessionMaxAge        time.Duration
	MaxBodyBytes         int64
	TrustedProxies       []string
	DBMaxConns           int
	Location             *time.Location
	CatalogMaxBytes      int64
	ImportMaxBytes       int64
	EvidenceMaxBytes     int64
	ExpensiveRequests    int
	Demo                 string // auto, on or off
	KompendiumURL        string
	KompendiumSHA256     string
	AuditReads           bool // record downloads of evidence and reports
	AuditKeyFile         string
	AuditPublicKeyFile   string
	AuditCheckpointFile  string
	AuditSyslog          string // off, on or a URL
}

// Setting describes one ISMS_* variable and its flag.
type Setting struct {
	Env     string
	Flag    string
	Default string
	Help    string
	Secret  bool // never printed
	// SwitchOn is the value of the bare flag (--demo means "on"); empty
	// for settings that always take a value.
	SwitchOn string
	apply    func(*Config, string) error
}

// Settings lists every setting; the README's table is checked against it.
var Settings = []Setting{
	{Env: "ISMS_DATABASE_URL", Flag: "database-url", Secret: true,
		Help:  "PostgreSQL connection URL the server uses. Empty: start a private PostgreSQL in ISMS_DATA_DIR",
		apply: func(c *Config, v string) error { c.DatabaseURL = v; return nil }},
	{Env: "ISMS_MIGRATION_DATABASE_URL", Flag: "migration-database-url", Secret: true,
		Help:  "connection URL of the role that owns the tables and runs migrations; the server's own role then gets no right to change the audit trail. Empty: ISMS_DATABASE_URL",
		apply: func(c *Config, v string) error { c.MigrationDatabaseURL = v; return nil }},
	{Env: "ISMS_DATA_DIR", Flag: "data-dir", Default: "./data",
		Help:  "folder of the private PostgreSQL cluster (used when ISMS_DATABASE_URL is empty)",
		apply: func(c *Config, v string) error { c.DataDir = v; return nil }},
	{Env: "ISMS_PG_BIN", Flag: "pg-bin",
		Help:  "folder with the PostgreSQL server programs (initdb, pg_ctl, postgres). Empty: search the usual places",
		apply: func(c *Config, v string) error { c.PGBin = v; return nil }},
	{Env: "ISMS_LISTEN", Flag: "listen", Default: "127.0.0.1:8080",
		Help: "address the HTTP server listens on",
		apply: func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("want host:port: %w", err)
			}
			c.Listen = v
			return nil
		}},
	{Env: "ISMS_BASE_URL", Flag: "base-url",
		Help: "public URL of the server as users reach it, e.g. https://isms.example.org. Empty: http://<ISMS_LISTEN>. With https, cookies are marked Secure and browsers are told to use https only (HSTS)",
		apply: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Errorf("want an absolute http or https URL")
			}
			c.BaseURL = strings.TrimSuffix(v, "/")
			return nil
		}},
	{Env: "ISMS_ADMIN_PASSWORD", Flag: "admin-password", Secret: true,
		Help:  "password of the first account \"admin\", created on the first start with an empty database. Empty: a random password, printed once",
		apply: func(c *Config, v string) error { c.AdminPassword = v; return nil }},
	{Env: "ISMS_LOG_FORMAT", Flag: "log-format",
		Help: "log format: text or json. Empty: text on a terminal, json otherwise",
		apply: func(c *Config, v string) error {
			if v != "" && v != "text" && v != "json" {
				return fmt.Errorf("want text or json")
			}
			c.LogFormat = v
			return nil
		}},
	{Env: "ISMS_LOG_LEVEL", Flag: "log-level", Default: "info",
		Help:  "log level: debug, info, warn or error",
		apply: func(c *Config, v string) error { return c.LogLevel.UnmarshalText([]byte(v)) }},
	{Env: "ISMS_SESSION_IDLE_TIMEOUT", Flag: "session-idle-timeout", Default: "30m",
		Help:  "a login session ends after this long without a request",
		apply: func(c *Config, v string) error { return parseDuration(v, &c.SessionIdle) }},
	{Env: "ISMS_SESSION_MAX_AGE", Flag: "session-max-age", Default: "12h",
		Help:  "a login session ends this long after login at the latest",
		apply: func(c *Config, v string) error { return parseDuration(v, &c.SessionMaxAge) }},
	{Env: "ISMS_MAX_BODY_BYTES", Flag: "max-body-bytes", Default: "1048576",
		Help: "largest accepted request body for API and form requests, in bytes (413 beyond)",
		apply: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 {
				return fmt.Errorf("want a number of bytes, at least 1024")
			}
			c.MaxBodyBytes = n
			return nil
		}},
	{Env: "ISMS_TRUSTED_PROXIES", Flag: "trusted-proxies",
		Help: "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed. Empty: none",
		apply: func(c *Config, v string) error {
			c.TrustedProxies = nil
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p == "" {
					continue
				}
				if net.ParseIP(p) == nil {
					if _, _, err := net.ParseCIDR(p); err != nil {
						return fmt.Errorf("%q is neither an IP address nor a CIDR range", p)
					}
				}
				c.TrustedProxies = append(c.TrustedProxies, p)
			}
			return nil
		}},
	{Env: "ISMS_DB_MAX_CONNS", Flag: "db-max-conns", Default: "20",
		Help: "largest number of open database connections",
		apply: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 2 {
				return fmt.Errorf("want a number, at least 2")
			}
			c.DBMaxConns = n
			return nil
		}},
	{Env: "ISMS_TIMEZONE", Flag: "timezone", Default: "Europe/Berlin",
		Help: "time zone in which the web UI and reports show times",
		apply: func(c *Config, v string) error {
			loc, err := time.LoadLocation(v)
			if err != nil {
				return fmt.Errorf("unknown time zone")
			}
			c.Location = loc
			return nil
		}},
	{Env: "ISMS_CATALOG_MAX_BYTES", Flag: "catalog-max-bytes", Default: "67108864",
		Help: "largest accepted catalog file (Kompendium XML, KRT workbook, OSCAL JSON), in bytes",
		apply: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 {
				return fmt.Errorf("want a number of bytes, at least 1024")
			}
			c.CatalogMaxBytes = n
			return nil
		}},
	{Env: "ISMS_IMPORT_MAX_BYTES", Flag: "import-max-bytes", Default: "33554432",
		Help: "largest accepted import file of target objects (CSV, XLSX, JSON), in bytes",
		apply: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 {
				return fmt.Errorf("want a number of bytes, at least 1024")
			}
			c.ImportMaxBytes = n
			return nil
		}},
	{Env: "ISMS_EVIDENCE_MAX_BYTES", Flag: "evidence-max-bytes", Default: "209715200",
		Help: "largest accepted evidence file, in bytes (uploads are streamed: memory use does not grow with it)",
		apply: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 {
				return fmt.Errorf("want a number of bytes, at least 1024")
			}
			c.EvidenceMaxBytes = n
			return nil
		}},
	{Env: "ISMS_EXPENSIVE_REQUESTS", Flag: "expensive-requests", Default: "4",
		Help: "largest number of expensive requests (object and catalog imports, object exports, report downloads) the server runs at once; more get 429 with Retry-After",
		apply: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("want a number, at least 1")
			}
			c.ExpensiveRequests = n
			return nil
		}},
	{Env: "ISMS_DEMO", Flag: "demo", Default: "auto", SwitchOn: "on",
		Help: "demo network: auto seeds it on a database without any scope, on (or the bare --demo) seeds it unless present, off never",
		apply: func(c *Config, v string) error {
			if v != "auto" && v != "on" && v != "off" {
				return fmt.Errorf("want auto, on or off")
			}
			c.Demo = v
			return nil
		}},
	{Env: "ISMS_KOMPENDIUM_URL", Flag: "kompendium-url",
		Default: "https://www.bsi.bund.de/SharedDocs/Downloads/DE/BSI/Grundschutz/IT-GS-Kompendium/XML_Kompendium_2023.xml?__blob=publicationFile&v=4",
		Help:    "where 'ismsd catalog fetch' downloads the IT-Grundschutz-Kompendium XML",
		apply: func(c *Config, v string) error {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Errorf("want an absolute http or https URL")
			}
			c.KompendiumURL = v
			return nil
		}},
	{Env: "ISMS_KOMPENDIUM_SHA256", Flag: "kompendium-sha256",
		Default: "dd41a7467464982a79307a322be9abb7a07356a1104dd64583bab29138e410ae",
		Help:    "SHA-256 the download of ISMS_KOMPENDIUM_URL must have; a file with another hash is refused",
		apply: func(c *Config, v string) error {
			if len(v) != 64 || strings.Trim(strings.ToLower(v), "0123456789abcdef") != "" {
				return fmt.Errorf("want 64 hexadecimal digits")
			}
			c.KompendiumSHA256 = strings.ToLower(v)
			return nil
		}},
	{Env: "ISMS_AUDIT_READS", Flag: "audit-reads", Default: "on",
		Help:  "record every download of an evidence file, a report or an export of target objects in the audit trail (who, what, when): on or off",
		apply: func(c *Config, v string) error { return parseOnOff(v, &c.AuditReads) }},
	{Env: "ISMS_AUDIT_KEY_FILE", Flag: "audit-key-file",
		Help:  "private Ed25519 key with which the server signs the audit trail's checkpoints; created (mode 0600, its public key beside it as .pub) on the first start. Empty: audit-checkpoint.key in ISMS_DATA_DIR",
		apply: func(c *Config, v string) error { c.AuditKeyFile = v; return nil }},
	{Env: "ISMS_AUDIT_PUBLIC_KEY_FILE", Flag: "audit-public-key-file",
		Help:  "public key with which 'ismsd audit verify' checks the checkpoints, ideally a copy kept apart from the server. Empty: derived from ISMS_AUDIT_KEY_FILE",
		apply: func(c *Config, v string) error { c.AuditPublicKeyFile = v; return nil }},
	{Env: "ISMS_AUDIT_CHECKPOINT_FILE", Flag: "audit-checkpoint-file",
		Help:  "append-only file to which the server adds a signed checkpoint of the audit trail every minute in which it grew. Empty: audit-checkpoints.jsonl in ISMS_DATA_DIR",
		apply: func(c *Config, v string) error { c.AuditCheckpointFile = v; return nil }},
	{Env: "ISMS_AUDIT_SYSLOG", Flag: "audit-syslog", Default: "off",
		Help: "also send every checkpoint to syslog: off, on (the local syslog), or a URL such as udp://host:514, tcp://host:514 or unixgram:///dev/log",
		apply: func(c *Config, v string) error {
			if v != "off" {
				if _, _, err := checkpoint.ParseSyslog(v); err != nil {
					return err
				}
			}
			c.AuditSyslog = v
			return nil
		}},
}

// parseOnOff reads on or off.
func parseOnOff(v string, dst *bool) error {
	if v != "on" && v != "off" {
		return fmt.Errorf("want on or off")
	}
	*dst = v == "on"
	return nil
}

func parseDuration(v string, dst *time.Duration) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("want a positive duration such as 30m or 12h")
	}
	*dst = d
	return nil
}

// Register adds a flag for every setting to fs; Load reads them back.
func Register(fs *flag.FlagSet) {
	for _, s := range Settings {
		fs.Var(&flagValue{switchOn: s.SwitchOn}, s.Flag, s.Help+" ("+s.Env+")")
	}
}

// flagValue holds a setting given on the command line. A setting with a
// SwitchOn value can be given as a bare flag (--demo) meaning that value.
type flagValue struct {
	v        string
	switchOn string
}

func (f *flagValue) String() string { return f.v }

func (f *flagValue) Set(v string) error {
	if f.switchOn != "" && v == "true" {
		v = f.switchOn
	}
	f.v = v
	return nil
}

// IsBoolFlag lets the flag package accept the bare form.
func (f *flagValue) IsBoolFlag() bool { return f.switchOn != "" }

// Load builds the configuration: defaults, then the environment (getenv),
// then flags set on fs (nil: none). Errors name the variable or flag.
func Load(getenv func(string) string, fs *flag.FlagSet) (Config, error) {
	var c Config
	flags := map[string]string{}
	if fs != nil {
		fs.Visit(func(f *flag.Flag) { flags[f.Name] = f.Value.String() })
	}
	for _, s := range Settings {
		v, source := s.Default, "default of "+s.Env
		if e := getenv(s.Env); e != "" {
			v, source = e, s.Env
		}
		if f, ok := flags[s.Flag]; ok {
			v, source = f, "--"+s.Flag
		}
		if err := s.apply(&c, v); err != nil {
			return c, fmt.Errorf("%s: %w", source, err)
		}
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Listen
	}
	if c.AuditKeyFile == "" {
		c.AuditKeyFile = filepath.Join(c.DataDir, "audit-checkpoint.key")
	}
	if c.AuditCheckpointFile == "" {
		c.AuditCheckpointFile = filepath.Join(c.DataDir, "audit-checkpoints.jsonl")
	}
	return c, nil
}

// SecureCookies reports whether cookies must carry the Secure flag.
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }
