package pgserver

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

// serverAccount is the OS account PostgreSQL runs as when we are root,
// because initdb and postgres refuse to run as root.
type serverAccount struct {
	name   string
	uid    int
	gid    int
	groups []int
}

func lookupServerAccount(name string) (*serverAccount, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("running as root, but there is no %q OS account to run PostgreSQL as "+
			"(initdb and postgres refuse to run as root); create it (installing the Debian/Ubuntu package "+
			"\"postgresql\" does) or run ismsd as a normal user: %w", name, err)
	}
	account := &serverAccount{name: name}
	if account.uid, err = strconv.Atoi(u.Uid); err != nil {
		return nil, fmt.Errorf("OS account %q: uid %q: %w", name, u.Uid, err)
	}
	if account.gid, err = strconv.Atoi(u.Gid); err != nil {
		return nil, fmt.Errorf("OS account %q: gid %q: %w", name, u.Gid, err)
	}
	groupIDs, _ := u.GroupIds()
	for _, g := range groupIDs {
		if id, err := strconv.Atoi(g); err == nil {
			account.groups = append(account.groups, id)
		}
	}
	return account, nil
}

func (a *serverAccount) credential() *syscall.Credential {
	groups := make([]uint32, 0, len(a.groups))
	for _, g := range a.groups {
		groups = append(groups, uint32(g))
	}
	return &syscall.Credential{Uid: uint32(a.uid), Gid: uint32(a.gid), Groups: groups}
}

// canTraverse applies the kernel's rule: the owner bits if the account owns
// the folder, else the group bits if it is in the group, else the others bits.
func (a *serverAccount) canTraverse(info fs.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	mode := info.Mode().Perm()
	switch {
	case int(st.Uid) == a.uid:
		return mode&0o100 != 0
	case int(st.Gid) == a.gid || slices.Contains(a.groups, int(st.Gid)):
		return mode&0o010 != 0
	default:
		return mode&0o001 != 0
	}
}

// mkdirAll is os.MkdirAll that sets perm on every folder it creates,
// regardless of the umask, which could otherwise strip the o+x the server
// account needs.
func mkdirAll(path string, perm fs.FileMode) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if parent := filepath.Dir(path); parent != path {
		if err := mkdirAll(parent, perm); err != nil {
			return err
		}
	}
	if err := os.Mkdir(path, perm); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		return err
	}
	return os.Chmod(path, perm)
}

// ensureTraversable makes dir enterable by the server account (adding only
// o+x, which lets it reach Dir/pg and Dir/run by name without listing dir)
// and checks that every parent up to / already is: changing folders we do
// not own would be a surprise, so for those we only explain.
func ensureTraversable(dir string, account *serverAccount) error {
	info, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !account.canTraverse(info) {
		if err := os.Chmod(dir, info.Mode().Perm()|0o001); err != nil {
			return fmt.Errorf("make %s traversable for OS user %q: %w", dir, account.name, err)
		}
	}
	for path := filepath.Dir(dir); ; path = filepath.Dir(path) {
		info, err := os.Stat(path)
		if err != nil {
			return err
		}
		if !account.canTraverse(info) {
			return fmt.Errorf("PostgreSQL runs as OS user %q, which cannot enter %s (mode %v): "+
				"make it traversable (e.g. chmod o+x %s) or choose an ISMS_DATA_DIR whose parent folders all are",
				account.name, path, info.Mode().Perm(), path)
		}
		if parent := filepath.Dir(path); parent == path {
			return nil
		}
	}
}

// ensurePrivateDir creates path (mode 0700) if missing, enforces 0700 (the
// socket folder's mode is what keeps other accounts off the trust-auth
// server; PGDATA must not be group/world accessible either) and, as root,
// hands it to the server account.
func ensurePrivateDir(path string, account *serverAccount) error {
	if err := os.Mkdir(path, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if err := os.Chmod(path, 0o700); err != nil {
		return err
	}
	if account == nil {
		return nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) == account.uid && int(st.Gid) == account.gid {
		return nil
	}
	// A folder owned by someone else (say, a cluster created while ismsd ran
	// as a normal user) is handed over whole, or postgres could not use it.
	return filepath.WalkDir(path, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, account.uid, account.gid)
	})
}
