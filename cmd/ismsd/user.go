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

// userCommand is one subcommand of "ismsd user", as main.commands() lists
// those of ismsd.
type userCommand struct {
	name  string
	args  int      // the number of positional arguments
	flags []string // the user flags it takes; the others are refused rather than ignored
	run   func(ctx context.Context, c *userContext, args []string) error
}

func userCommands() []userCommand {
	return []userCommand{
		{"add", 1, []string{"display-name", "email", "password-stdin", "role", "department"}, addUser},
		{"list", 0, nil, listUsers},
		{"set-password", 1, []string{"password-stdin"}, setUserPassword},
		{"disable", 1, nil, func(ctx context.Context, c *userContext, args []string) error {
			return setUserDisabled(ctx, c, args[0], true)
		}},
		{"enable", 1, nil, func(ctx context.Context, c *userContext, args []string) error {
			return setUserDisabled(ctx, c, args[0], false)
		}},
		{"grant", 2, []string{"department"}, changeGrant},
		{"revoke", 2, []string{"department"}, changeGrant},
	}
}

// userFlags are the flags of "ismsd user" besides the settings.
type userFlags struct {
	displayName, email, role string
	passwordStdin            bool
	department               int64
}

func (f *userFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.displayName, "display-name", "", "full name shown in the UI (add)")
	fs.StringVar(&f.email, "email", "", "e-mail address (add)")
	fs.BoolVar(&f.passwordStdin, "password-stdin", false, "read the password from the first line of standard input instead of generating one")
	fs.StringVar(&f.role, "role", "", "role to grant right away (add)")
	fs.Int64Var(&f.department, "department", 0, "department id that limits the role to its subtree")
}

// dept is the department that limits a role, or nil for a global one.
func (f *userFlags) dept() *int64 {
	if f.department == 0 {
		return nil
	}
	return &f.department
}

// readPassword returns the first line of standard input with
// --password-stdin, otherwise "" (the account service generates one).
func (f *userFlags) readPassword() (string, error) {
	if !f.passwordStdin {
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

// userContext is what a user subcommand works with.
type userContext struct {
	userFlags
	sub      string
	out      io.Writer
	env      *env
	accounts *account.Service
	actor    domain.Actor
}

// lookup finds an account by its login name.
func (c *userContext) lookup(ctx context.Context, name string) (domain.User, error) {
	u, err := c.env.db.UserByUsername(ctx, account.NormalizeUsername(name))
	if errors.Is(err, domain.ErrNotFound) {
		return u, fmt.Errorf("no user %q", name)
	}
	return u, err
}

func runUser(ctx context.Context, args []string, out io.Writer) error {
	sub, err := subcommandOf(args, "Usage: ismsd "+userUsage, out)
	if err != nil {
		return err
	}
	fs := newFlagSet("user "+sub, userUsage, out)
	c := &userContext{sub: sub, out: out}
	c.register(fs)
	positional, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	i := slices.IndexFunc(userCommands(), func(uc userCommand) bool { return uc.name == sub })
	if i < 0 {
		return usageError{fmt.Sprintf("unknown subcommand %q", sub)}
	}
	cmd := userCommands()[i]
	var misplaced error
	fs.Visit(func(f *flag.Flag) {
		// The settings apply to every subcommand, a user flag to those
		// that name it.
		isUserFlag := slices.ContainsFunc(userCommands(), func(uc userCommand) bool { return slices.Contains(uc.flags, f.Name) })
		if isUserFlag && !slices.Contains(cmd.flags, f.Name) {
			misplaced = usageError{fmt.Sprintf("--%s does not apply to %s", f.Name, sub)}
		}
	})
	if misplaced != nil {
		return misplaced
	}
	if sub == "add" && c.department != 0 && c.role == "" {
		return usageError{"--department needs --role"}
	}
	if len(positional) != cmd.args {
		return usageError{fmt.Sprintf("%s takes %d argument(s), got %d", sub, cmd.args, len(positional))}
	}

	if c.env, err = open(ctx, fs); err != nil {
		return err
	}
	defer c.env.close()
	if c.accounts, err = c.env.accounts(); err != nil {
		return err
	}
	c.actor = cliActor()
	return cmd.run(ctx, c, positional)
}

func addUser(ctx context.Context, c *userContext, args []string) error {
	pw, err := c.readPassword()
	if err != nil {
		return err
	}
	in := account.NewUserInput{Username: args[0], DisplayName: c.displayName, Email: c.email, Password: pw}
	if c.role != "" {
		in.Grants = []domain.Grant{{Role: domain.Role(c.role), DepartmentID: c.dept()}}
	}
	u, generated, err := c.accounts.CreateUser(ctx, c.actor, in)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(c.out, "created user %s (id %d)\n", u.Username, u.ID)
	if c.role != "" {
		fmt.Fprintf(c.out, "granted %s\n", grantText(domain.Role(c.role), c.dept()))
	}
	if generated != "" {
		fmt.Fprintf(c.out, "password: %s\n(shown only now; the user must change it at the first login)\n", generated)
	}
	return nil
}

func setUserPassword(ctx context.Context, c *userContext, args []string) error {
	u, err := c.lookup(ctx, args[0])
	if err != nil {
		return err
	}
	pw, err := c.readPassword()
	if err != nil {
		return err
	}
	generated, err := c.accounts.SetPassword(ctx, c.actor, u.ID, pw)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(c.out, "password of %s set; their sessions have ended\n", u.Username)
	if generated != "" {
		fmt.Fprintf(c.out, "password: %s\n(shown only now; the user must change it at the next login)\n", generated)
	}
	return nil
}

func setUserDisabled(ctx context.Context, c *userContext, name string, disabled bool) error {
	u, err := c.lookup(ctx, name)
	if err != nil {
		return err
	}
	if _, err := c.accounts.SetDisabled(ctx, c.actor, u.ID, disabled); err != nil {
		return describe(err)
	}
	fmt.Fprintf(c.out, "user %s %sd\n", u.Username, c.sub)
	return nil
}

// changeGrant grants or revokes (c.sub) a role.
func changeGrant(ctx context.Context, c *userContext, args []string) error {
	u, err := c.lookup(ctx, args[0])
	if err != nil {
		return err
	}
	r := domain.Role(args[1])
	if c.sub == "grant" {
		_, err = c.accounts.Grant(ctx, c.actor, u.ID, r, c.dept())
	} else {
		err = c.accounts.Revoke(ctx, c.actor, u.ID, r, c.dept())
	}
	if err != nil {
		return describe(err)
	}
	verb := map[string]string{"grant": "granted", "revoke": "revoked"}[c.sub]
	fmt.Fprintf(c.out, "%s %s for %s\n", verb, grantText(r, c.dept()), u.Username)
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

func listUsers(ctx context.Context, c *userContext, _ []string) error {
	us, err := c.env.db.ListUsers(ctx)
	if err != nil {
		return err
	}
	grants, err := c.env.db.AllGrants(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.out, 2, 4, 2, ' ', 0)
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
