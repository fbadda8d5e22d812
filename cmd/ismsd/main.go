// Command ismsd is the ISMS server for ISO 27001 on the basis of BSI
// IT-Grundschutz, with its operator subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"ismsd/internal/config"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, out io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the web server (starts a private PostgreSQL unless ISMS_DATABASE_URL is set)", runServe},
		{"migrate", "apply pending database migrations and exit", runMigrate},
		{"user", "manage accounts: add, list, set-password, disable, enable, grant, revoke", runUser},
		{"catalog", "catalogs: import, list, fetch", runCatalog},
		{"audit", "check the audit trail: verify", runAudit},
	}
}

// usageError is a wrong invocation: exit code 2 with the usage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, restore the default handling, so that a
	// second Ctrl-C ends a shutdown that takes too long.
	go func() { <-ctx.Done(); stop() }()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, out, errOut io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(out)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], out)
		var ue usageError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(errOut, "ismsd %s: %s\nRun 'ismsd %s --help' for usage.\n", c.name, ue.msg, c.name)
			return 2
		default:
			fmt.Fprintf(errOut, "ismsd %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(errOut, "ismsd: unknown command %q\n\n", args[0])
	printUsage(errOut)
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "ismsd: ISMS for ISO 27001 on the basis of BSI IT-Grundschutz")
	fmt.Fprintln(w, "\nUsage: ismsd <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery setting is an ISMS_* environment variable or the flag of the same name; see 'ismsd serve --help'.")
}

// newFlagSet returns a flag set with the settings, which every command
// reads, that reports errors instead of exiting and prints its usage to out.
func newFlagSet(name, usage string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: ismsd %s\n\n", usage)
		fs.PrintDefaults()
	}
	config.Register(fs)
	return fs
}

// subcommandOf reads the subcommand of a command with subcommands, the
// first argument; without one, or asked for help, it prints usage.
func subcommandOf(args []string, usage string, out io.Writer) (string, error) {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(out, usage)
		if len(args) == 0 {
			return "", usageError{"which subcommand?"}
		}
		return "", flag.ErrHelp
	}
	return args[0], nil
}

// parseFlags parses args; a flag error becomes a usageError (the flag
// package has already printed the reason and the usage).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// parseInterleaved parses flags that may stand before, between or after
// the positional arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
