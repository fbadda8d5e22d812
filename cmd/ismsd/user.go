package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"ismsd/internal/account"
	"ismsd/internal/config"
	"ismsd/internal/domain"
)

const userUsage = `user <subcommand> [flags]

Subcommands:
  add NAME [--display-name N] [--email E] [--password-stdin] [--role R [--department ID]]
  list
  set-password NAME [--password-stdin]
  disable NAME
  enable NAME
  grant NAME ROLE [--department ID]
  revoke NAME ROLE [--department ID]

Roles: admin, isb, auditor, department_head (needs --department), management.
Without --password-stdin a password is generated and printed once; the user
must change it at the next login.`

func runUser(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(out, "Usage: ismsd "+userUsage)
		if len(args) == 0 {
			return usageError{"which subcommand?"}
		}
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet("user "+sub, userUsage, out)
	config.Register(fs)
	displayName := fs.String("display-name", "", "full name shown in the UI (add)")
	email := fs.String("email", "", "e-mail address (add)")
	passwordStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input instead of generating one")
	role := fs.String("role", "", "role to grant right away (add)")
	department := fs.Int64("department", 0, "department id that limits the role to its subtree")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	want := map[string]int{"add": 1, "list": 0, "set-password": 1, "disable": 1, "enable": 1, "grant": 2, "revoke": 2}
	n, ok := want[sub]
	if !ok {
		return usageError{fmt.Sprintf("unknown subcommand %q", sub)}
	}
	// Flags a subcommand does not use are refused rather than ignored.
	applies := map[string][]string{
		"display-name":   {"add"},
		"email":          {"add"},
		"role":           {"add"},
		"password-stdin": {"add", "set-password"},
		"department":     {"add", "grant", "revoke"},
	}
	var misplaced error
	fs.Visit(func(f *flag.Flag) {
		if subs, ok := applies[f.Name]; ok && !slices.Contains(subs, sub) {
			misplaced = usageError{fmt.Sprintf("--%s does not apply to %s", f.Name, sub)}
		}
	})
	if misplaced != nil {
		return misplaced
	}
	if sub == "add" && *department != 0 && *role == "" {
		return usageError{"--department needs --role"}
	}
	if len(positional) != n {
		return usageError{fmt.Sprintf("%s takes %d argument(s), got %d", sub, n, len(positional))}
	}
	var dept *int64
	if *department != 0 {
		dept = department
	}
	readPassword := func() (string, error) {
		if !*passwordStdin {
			return "", nil
		}
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		pw := strings.TrimRight(line, "\r\n")
		if pw == "" {
			return "", usageError{"--password-stdin: standard input held no password"}
		}
		return pw, nil
	}

	e, err := open(ctx, fs)
	if err != nil {
		return err
	}
	defer e.close()
	accounts, err := e.accounts()
	if err != nil {
		return err
	}
	actor := cliActor()
	lookup := func(name string) (domain.User, error) {
		u, err := e.db.UserByUsername(ctx, account.NormalizeUsername(name))
		if errors.Is(err, domain.ErrNotFound) {
			return u, fmt.Errorf("no user %q", name)
		}
		return u, err
	}

	switch sub {
	case "list":
		return listUsers(ctx, e, out)
	case "add":
		pw, err := readPassword()
		if err != nil {
			return err
		}
		in := account.NewUserInput{Username: positional[0], DisplayName: *displayName, Email: *email, Password: pw}
		if *role != "" {
			in.Grants = []domain.Grant{{Role: domain.Role(*role), DepartmentID: dept}}
		}
		u, generated, err := accounts.CreateUser(ctx, actor, in)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(out, "created user %s (id %d)\n", u.Username, u.ID)
		if *role != "" {
			fmt.Fprintf(out, "granted %s\n", grantText(domain.Role(*role), dept))
		}
		if generated != "" {
			fmt.Fprintf(out, "password: %s\n(shown only now; the user must change it at the first login)\n", generated)
		}
	case "set-password":
		u, err := lookup(positional[0])
		if err != nil {
			return err
		}
		pw, err := readPassword()
		if err != nil {
			return err
		}
		generated, err := accounts.SetPassword(ctx, actor, u.ID, pw)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(out, "password of %s set; their sessions have ended\n", u.Username)
		if generated != "" {
			fmt.Fprintf(out, "password: %s\n(shown only now; the user must change it at the next login)\n", generated)
		}
	case "disable", "enable":
		u, err := lookup(positional[0])
		if err != nil {
			return err
		}
		if _, err := accounts.SetDisabled(ctx, actor, u.ID, sub == "disable"); err != nil {
			return describe(err)
		}
		fmt.Fprintf(out, "user %s %sd\n", u.Username, sub)
	case "grant", "revoke":
		u, err := lookup(positional[0])
		if err != nil {
			return err
		}
		r := domain.Role(positional[1])
		if sub == "grant" {
			_, err = accounts.Grant(ctx, actor, u.ID, r, dept)
		} else {
			err = accounts.Revoke(ctx, actor, u.ID, r, dept)
		}
		if err != nil {
			return describe(err)
		}
		verb := map[string]string{"grant": "granted", "revoke": "revoked"}[sub]
		fmt.Fprintf(out, "%s %s for %s\n", verb, grantText(r, dept), u.Username)
	}
	return nil
}

func grantText(r domain.Role, dept *int64) string {
	if dept == nil {
		return "role " + string(r) + " (global)"
	}
	return "role " + string(r) + " for department " + strconv.FormatInt(*dept, 10)
}

// describe adds the violations of a refused input to the message.
func describe(err error) error {
	var de *domain.Error
	if errors.As(err, &de) && len(de.Violations) > 1 {
		var parts []string
		for _, v := range de.Violations {
			parts = append(parts, v.Detail)
		}
		return fmt.Errorf("%s", strings.Join(parts, "; "))
	}
	return err
}

func listUsers(ctx context.Context, e *env, out io.Writer) error {
	us, err := e.db.ListUsers(ctx)
	if err != nil {
		return err
	}
	grants, err := e.db.AllGrants(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tUSERNAME\tNAME\tSTATUS\tROLES")
	for _, u := range us {
		status := "active"
		if u.Disabled {
			status = "disabled"
		} else if u.MustChangePassword {
			status = "must-change-password"
		}
		var roles []string
		for _, g := range grants[u.ID] {
			r := string(g.Role)
			if !g.Global() {
				r += "@" + g.DepartmentName
			}
			roles = append(roles, r)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.DisplayName, status, strings.Join(roles, ", "))
	}
	return w.Flush()
}
