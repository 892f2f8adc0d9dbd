package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/qdev/qdev/internal/adminapi"
	"github.com/qdev/qdev/internal/adminclient"
)

// usersOptions are the parsed arguments of `q admin users …`.
type usersOptions struct {
	*adminFactory
	Action string // create, set-password, list, show, disable or delete
	Email  string
	Name   string
	Role   string
	Groups []string
	// PasswordStdin reads a password for create from standard input.
	PasswordStdin bool
}

// newCmdAdminUsers returns `q admin users`:
//
//	q admin users create EMAIL [--name N] [--role admin|auditor|user] [--group G]… [--password-stdin]
//	q admin users set-password EMAIL   (reads the password from standard input)
//	q admin users list | show EMAIL | disable EMAIL | delete EMAIL
func newCmdAdminUsers(f *adminFactory, runF func(*usersOptions) error) *cobra.Command {
	o := &usersOptions{adminFactory: f}
	if runF == nil {
		runF = usersRun
	}
	run := func(args []string) error {
		if len(args) > 0 {
			o.Email = args[0]
		}
		return runF(o)
	}
	cmd := &cobra.Command{Use: "users", Short: "Create, list, show, disable and delete users", Args: cobra.NoArgs}
	create := subcommand("create EMAIL", "Add a user", cobra.ExactArgs(1), &o.Action, run)
	create.Flags().StringVar(&o.Name, "name", "", "display name")
	create.Flags().StringVar(&o.Role, "role", "user", "role: admin, auditor (read-only) or user")
	create.Flags().StringArrayVar(&o.Groups, "group", nil, "add the user to this group (repeatable)")
	create.Flags().BoolVar(&o.PasswordStdin, "password-stdin", false, "read a password for signing in from standard input")
	cmd.AddCommand(create,
		subcommand("set-password EMAIL", "Set the password a user signs in with, read from standard input", cobra.ExactArgs(1), &o.Action, run),
		subcommand("list", "List users", cobra.NoArgs, &o.Action, run),
		subcommand("show EMAIL", "Show a user and their groups", cobra.ExactArgs(1), &o.Action, run),
		subcommand("disable EMAIL", "Disable a user: their API keys stop working", cobra.ExactArgs(1), &o.Action, run),
		subcommand("delete EMAIL", "Delete a user with their keys and subscription", cobra.ExactArgs(1), &o.Action, run),
	)
	return cmd
}

func usersRun(o *usersOptions) error {
	userPath := adminclient.Path("v1", "users", o.Email)
	switch o.Action {
	case "create":
		req := adminapi.CreateUser{Email: o.Email, Name: o.Name, Role: o.Role, Groups: o.Groups}
		if o.PasswordStdin {
			pw, err := readPassword(o.IO)
			if err != nil {
				return err
			}
			req.Password = pw
		}
		var u adminapi.User
		return adminDo(o.adminFactory, http.MethodPost, "/v1/users", req, &u,
			fmt.Sprintf("Created user %s (%s)", o.Email, o.Role))
	case "set-password":
		pw, err := readPassword(o.IO)
		if err != nil {
			return err
		}
		return adminDo(o.adminFactory, http.MethodPut, userPath+"/password", adminapi.SetPassword{Password: pw}, nil,
			"Set the password of "+o.Email)
	case "list":
		return adminList(o.adminFactory, "/v1/users", "EMAIL\tNAME\tROLE\tSTATE",
			func(u adminapi.User) []string { return []string{u.Email, orDash(u.Name), string(u.Role), userState(u)} })
	case "show":
		var u adminapi.User
		if err := adminDo(o.adminFactory, http.MethodGet, userPath, nil, &u, ""); err != nil {
			return err
		}
		return printUser(o.adminFactory, u)
	case "disable":
		return adminDo(o.adminFactory, http.MethodPost, userPath+"/disable", nil, nil, "Disabled "+o.Email)
	case "delete":
		return adminDo(o.adminFactory, http.MethodDelete, userPath, nil, nil, "Deleted "+o.Email)
	}
	return fmt.Errorf("unknown action %q", o.Action)
}

func userState(u adminapi.User) string {
	if u.Disabled {
		return "disabled"
	}
	return "enabled"
}

func printUser(f *adminFactory, u adminapi.User) error {
	if f.Format == "json" {
		return writeJSONTo(f.IO.Out, u)
	}
	fmt.Fprintf(f.IO.Out, "Email:   %s\nName:    %s\nRole:    %s\nState:   %s\nGroups:  %s\nCreated: %s\n",
		u.Email, orDash(u.Name), u.Role, userState(u), orDash(strings.Join(u.Groups, ", ")), u.CreatedAt.Format("2006-01-02 15:04 MST"))
	return nil
}

// readPassword reads a password from standard input: typed twice without
// echo at a terminal, else the first line of the input.
func readPassword(stdio IO) (string, error) {
	if stdio.In == nil {
		return "", errors.New("no standard input to read the password from")
	}
	if term.IsTerminal(int(stdio.In.Fd())) {
		fmt.Fprint(stdio.ErrOut, "Password: ")
		a, err := term.ReadPassword(int(stdio.In.Fd()))
		fmt.Fprintln(stdio.ErrOut)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stdio.ErrOut, "Again: ")
		b, err := term.ReadPassword(int(stdio.In.Fd()))
		fmt.Fprintln(stdio.ErrOut)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdio.In, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password on standard input")
	}
	return pw, nil
}
