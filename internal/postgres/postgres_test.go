package postgres_test

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var ctx = context.Background()

func actor(name string) domain.Actor {
	return domain.Actor{Name: name, RequestID: "test", ClientAddr: "127.0.0.1"}
}

func createUser(t *testing.T, db *postgres.DB, name string) domain.User {
	t.Helper()
	u, err := postgres.InTxValue(ctx, db, actor("test"), func(tx *postgres.Tx) (domain.User, error) {
		return tx.CreateUser(ctx, postgres.NewUser{Username: name, PasswordHash: "x"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestMigrateIsIdempotentAndConcurrentSafe(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := postgres.Migrate(ctx, d.OwnerURL, pgtest.AppRole)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	db, err := postgres.Open(ctx, d.AppURL, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, err := db.MigrationVersion(ctx)
	if err != nil || v != postgres.LatestMigration() {
		t.Fatalf("version %d (%v), want %d", v, err, postgres.LatestMigration())
	}
}

func TestAuditRecordedWithChangeAndChained(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	a := createUser(t, db, "alice")
	createUser(t, db, "bob")

	// A failed transaction leaves neither the change nor its record.
	err := db.InTx(ctx, actor("test"), func(tx *postgres.Tx) error {
		if _, err := tx.CreateUser(ctx, postgres.NewUser{Username: "carol", PasswordHash: "x"}); err != nil {
			return err
		}
		return errors.New("abort")
	})
	if err == nil {
		t.Fatal("expected abort")
	}
	recs, next, err := db.ListAudit(ctx, domain.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || next != 0 {
		t.Fatalf("got %d records (next %d), want 2", len(recs), next)
	}
	if recs[1].Action != "user.create" || recs[1].ResourceID != strconv.FormatInt(a.ID, 10) {
		t.Errorf("unexpected record %+v", recs[1])
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n != 2 {
		t.Fatalf("verify: %d records, %v", n, err)
	}
	if strings.Contains(string(recs[0].After), "password") {
		t.Errorf("audit record leaks password data: %s", recs[0].After)
	}
}

func TestAuditConcurrentWritersKeepOneChain(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "user" + strconv.Itoa(i+10)
			err := db.InTx(ctx, actor("w"), func(tx *postgres.Tx) error {
				_, err := tx.CreateUser(ctx, postgres.NewUser{Username: name, PasswordHash: "x"})
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n, err := db.VerifyAudit(ctx); err != nil || n != 20 {
		t.Fatalf("verify: %d records, %v", n, err)
	}
}

func TestServerRoleCannotAlterAuditTrail(t *testing.T) {
	t.Parallel()
	db, d := pgtest.Open(t)
	createUser(t, db, "alice")
	app := openSQL(t, d.AppURL)
	for _, stmt := range []string{
		`UPDATE audit_log SET actor_name = 'mallory'`,
		`DELETE FROM audit_log`,
		`TRUNCATE audit_log`,
	} {
		_, err := app.Exec(stmt)
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s as server role: err = %v, want permission denied", stmt, err)
		}
	}
	if can, err := db.CanAlterAuditLog(ctx); err != nil || can {
		t.Errorf("CanAlterAuditLog = %v, %v; want false", can, err)
	}
	// Even the owner is stopped by the trigger.
	owner := openSQL(t, d.OwnerURL)
	if _, err := owner.Exec(`DELETE FROM audit_log`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("owner delete: err = %v, want append-only", err)
	}
}

func TestVerifyNamesFirstAlteredRecord(t *testing.T) {
	t.Parallel()
	db, d := pgtest.Open(t)
	for _, n := range []string{"alice", "bob", "carol", "dave"} {
		createUser(t, db, n)
	}
	owner := openSQL(t, d.OwnerURL)
	pgtest.Tamper(t, owner, `UPDATE audit_log SET after = '{"username":"mallory"}' WHERE seq = 3`)
	_, err := db.VerifyAudit(ctx)
	var ce *domain.ChainError
	if !errors.As(err, &ce) || ce.Seq != 3 {
		t.Fatalf("verify after alteration: %v, want break at 3", err)
	}
	pgtest.Tamper(t, owner, `DELETE FROM audit_log WHERE seq = 2`)
	_, err = db.VerifyAudit(ctx)
	if !errors.As(err, &ce) || ce.Seq != 3 || !strings.Contains(ce.Reason, "missing") {
		t.Fatalf("verify after deletion: %v, want break at 3 (missing)", err)
	}
}

func TestSessionsExpireAndRevoke(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	u := createUser(t, db, "alice")
	hash := []byte("0123456789abcdef0123456789abcdef")
	s, err := postgres.InTxValue(ctx, db, actor("alice"), func(tx *postgres.Tx) (domain.Session, error) {
		return tx.CreateSession(ctx, u.ID, hash, time.Now().Add(time.Hour), "127.0.0.1", "test")
	})
	if err != nil {
		t.Fatal(err)
	}
	if a, err := db.SessionUser(ctx, hash, time.Minute); err != nil || a.User.ID != u.ID {
		t.Fatalf("live session: %+v, %v", a, err)
	}
	if _, err := db.SessionUser(ctx, []byte("other"), time.Minute); !errors.Is(err, domain.ErrUnauthenticated) {
		t.Fatalf("unknown secret: %v", err)
	}
	// Idle timeout shorter than the time since last use.
	time.Sleep(20 * time.Millisecond)
	if _, err := db.SessionUser(ctx, hash, 10*time.Millisecond); !errors.Is(err, domain.ErrUnauthenticated) {
		t.Fatalf("idle session accepted: %v", err)
	}
	err = db.InTx(ctx, actor("admin"), func(tx *postgres.Tx) error {
		_, err := tx.RevokeUserSessions(ctx, u.ID, 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionUser(ctx, hash, time.Hour); !errors.Is(err, domain.ErrUnauthenticated) {
		t.Fatalf("revoked session %d accepted: %v", s.ID, err)
	}
}

func TestGrantScopeRules(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	u := createUser(t, db, "alice")
	var dept domain.Department
	grant := func(role domain.Role, dept *int64) error {
		return db.InTx(ctx, actor("admin"), func(tx *postgres.Tx) error {
			_, err := tx.Grant(ctx, u.ID, role, dept)
			return err
		})
	}
	err := db.InTx(ctx, actor("admin"), func(tx *postgres.Tx) error {
		var err error
		dept, err = tx.CreateDepartment(ctx, domain.DepartmentInput{Name: "Finanzministerium"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := grant(domain.RoleDepartmentHead, nil); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("department head without department: %v", err)
	}
	if err := grant(domain.RoleAdmin, &dept.ID); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("admin for a department: %v", err)
	}
	if err := grant(domain.RoleDepartmentHead, &dept.ID); err != nil {
		t.Fatal(err)
	}
	if err := grant(domain.RoleDepartmentHead, &dept.ID); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("duplicate grant: %v", err)
	}
	gs, err := db.ActiveGrants(ctx)
	if err != nil || len(gs) != 1 || gs[0].DepartmentName != "Finanzministerium" {
		t.Fatalf("grants %+v, %v", gs, err)
	}
}

// Not in parallel with other tests: it promises a time.
func TestWatchGrantsSeesCommittedChanges(t *testing.T) {
	db, d := pgtest.Open(t)
	u := createUser(t, db, "alice")
	changed := make(chan struct{}, 10)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go postgres.WatchGrants(wctx, d.AppURL, slog.New(slog.DiscardHandler), func() { changed <- struct{}{} })
	d.WaitForListeners(t, 1)
	err := db.InTx(ctx, actor("admin"), func(tx *postgres.Tx) error {
		_, err := tx.Grant(ctx, u.ID, domain.RoleAuditor, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(time.Second):
		t.Fatal("no notification within a second of the grant")
	}
}
