package config

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"
)

func TestLoadPrecedenceAndErrors(t *testing.T) {
	env := map[string]string{"ISMS_LISTEN": "0.0.0.0:9000", "ISMS_SESSION_IDLE_TIMEOUT": "10m"}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	Register(fs)
	if err := fs.Parse([]string{"--listen", "127.0.0.1:9001"}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(func(k string) string { return env[k] }, fs)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9001" || c.SessionIdle != 10*time.Minute || c.SessionMaxAge != 12*time.Hour {
		t.Errorf("config %+v", c)
	}
	if c.BaseURL != "http://127.0.0.1:9001" || c.SecureCookies() || c.DataDir != "./data" {
		t.Errorf("defaults: base %q data %q", c.BaseURL, c.DataDir)
	}
	for k, v := range map[string]string{
		"ISMS_LISTEN":          "nohost",
		"ISMS_BASE_URL":        "ftp://x",
		"ISMS_MAX_BODY_BYTES":  "12",
		"ISMS_TRUSTED_PROXIES": "10.0.0.0/8, not-an-ip",
		"ISMS_LOG_FORMAT":      "xml",
		"ISMS_TIMEZONE":        "Mars/Olympus",
	} {
		_, err := Load(func(key string) string {
			if key == k {
				return v
			}
			return ""
		}, nil)
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: error %v does not name the variable", k, v, err)
		}
	}
	c, _ = Load(func(k string) string {
		if k == "ISMS_BASE_URL" {
			return "https://isms.example.org/"
		}
		return ""
	}, nil)
	if !c.SecureCookies() || c.BaseURL != "https://isms.example.org" {
		t.Errorf("https base: %q secure=%v", c.BaseURL, c.SecureCookies())
	}
}

// TestREADMEListsEverySetting keeps the README's table complete.
func TestREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings {
		if !strings.Contains(string(readme), "`"+s.Env+"`") {
			t.Errorf("README.md does not document %s", s.Env)
		}
	}
}

func TestBareDemoFlag(t *testing.T) {
	for args, want := range map[string]string{"": "auto", "--demo": "on", "--demo=off": "off"} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		Register(fs)
		var list []string
		if args != "" {
			list = []string{args}
		}
		if err := fs.Parse(list); err != nil {
			t.Fatal(err)
		}
		c, err := Load(func(string) string { return "" }, fs)
		if err != nil || c.Demo != want {
			t.Errorf("%q: demo %q, %v; want %q", args, c.Demo, err, want)
		}
	}
}
