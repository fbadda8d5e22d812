package server

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"ismsd/internal/account"
	"ismsd/internal/authz"
	"ismsd/internal/config"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
	"ismsd/internal/validation"
)

func TestMain(m *testing.M) { pgtest.Main(tallyRun{m}) }

// testEnv is a real server on a fresh database.
type testEnv struct {
	t        testing.TB
	db       *postgres.DB
	dbInfo   pgtest.DB
	accounts *account.Service
	authz    *authz.Enforcer
	srv      *Server
	ts       *httptest.Server
	url      string
	owner    *sql.DB // see ownerDB
}

const testPassword = "correct horse battery"

func newTestEnv(t testing.TB, configure ...func(*config.Config)) *testEnv {
	t.Helper()
	db, info := pgtest.Open(t)
	return startServer(t, db, info, configure...)
}

// startServer runs a server instance on db; several may share one.
func startServer(t testing.TB, db *postgres.DB, info pgtest.DB, configure ...func(*config.Config)) *testEnv {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range configure {
		f(&cfg)
	}
	ts := httptest.NewUnstartedServer(nil)
	ts.Start()
	t.Cleanup(ts.Close)
	cfg.BaseURL = ts.URL
	log := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	accounts, err := account.New(db, account.DefaultConfig, log)
	if err != nil {
		t.Fatal(err)
	}
	enf, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	v, err := testValidator()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Deps{Config: cfg, DB: db, Accounts: accounts, Authz: enf, Validator: v, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	e := &testEnv{t: t, db: db, dbInfo: info, accounts: accounts, authz: enf, srv: srv, ts: ts, url: ts.URL}
	e.reloadGrants()
	return e
}

func (e *testEnv) reloadGrants() {
	e.t.Helper()
	gs, err := e.db.ActiveGrants(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.authz.SetGrants(gs); err != nil {
		e.t.Fatal(err)
	}
}

var testActor = domain.Actor{Name: "test", RequestID: "test", ClientAddr: "local"}

// testValidator is compiled once for all the test servers: compiling every
// schema for each of them cost more CPU than most tests themselves.
var testValidator = sync.OnceValues(validation.New)

// testPasswordHash is testPassword as argon2id with the smallest cost
// (8 KiB, one pass). A login verifies with the cost its stored hash names,
// and the server tests create and log in hundreds of accounts: at the
// product's cost (internal/account, whose tests cover it) argon2 and the
// collections its 19 MiB cause were half of their CPU time, which nothing
// they check depends on.
var testPasswordHash = sync.OnceValue(func() string {
	salt := []byte("ismsd test salt.")
	key := argon2.IDKey([]byte(testPassword), salt, 1, 8, 1, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=8,t=1,p=1$%s$%s", argon2.Version, b64.EncodeToString(salt), b64.EncodeToString(key))
})

// user creates an account with testPassword (no pending change) and the
// given grants, and reloads the enforcer.
func (e *testEnv) user(name string, grants ...domain.Grant) domain.User {
	e.t.Helper()
	ctx := context.Background()
	var u domain.User
	err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		var err error
		if u, err = tx.CreateUser(ctx, postgres.NewUser{Username: name, PasswordHash: testPasswordHash()}); err != nil {
			return err
		}
		for _, g := range grants {
			if _, err := tx.Grant(ctx, u.ID, g.Role, g.DepartmentID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.reloadGrants()
	u, _ = e.db.UserByID(ctx, u.ID)
	return u
}

// ownerDB connects as the owner of the tables, as a database
// administrator could, past the rights the server's role lacks (to tamper,
// or to set a scene faster than through the API); it closes with the test.
func (e *testEnv) ownerDB() *sql.DB {
	e.t.Helper()
	if e.owner == nil {
		db, err := sql.Open("postgres", e.dbInfo.OwnerURL)
		if err != nil {
			e.t.Fatal(err)
		}
		e.t.Cleanup(func() { db.Close() })
		e.owner = db
	}
	return e.owner
}

func (e *testEnv) department(name string) int64 {
	e.t.Helper()
	var d domain.Department
	err := e.db.InTx(context.Background(), testActor, func(tx *postgres.Tx) error {
		var err error
		d, err = tx.CreateDepartment(context.Background(), domain.DepartmentInput{Name: name})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return d.ID
}

// client is a browser-like HTTP client with a cookie jar that sends the
// server's own Origin on state changes, as a browser on this site does.
type client struct {
	e      *testEnv
	http   *http.Client
	bearer string
	origin string
}

func (e *testEnv) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, origin: e.url, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login returns a client logged in through the API.
func (e *testEnv) login(username string) *client {
	e.t.Helper()
	c := e.client()
	r := c.do("POST", "/api/v1/session", map[string]string{"username": username, "password": testPassword}, nil)
	if r.status != http.StatusCreated {
		e.t.Fatalf("login %s: %d %s", username, r.status, r.body)
	}
	return c
}

// loggedIn creates a user with the given grants and returns a client
// logged in as them.
func (e *testEnv) loggedIn(name string, grants ...domain.Grant) *client {
	e.t.Helper()
	e.user(name, grants...)
	return e.login(name)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// do sends a request; body is marshalled to JSON unless it is a string
// (sent as a form) or []byte (sent as is, JSON).
func (c *client) do(method, path string, body any, header map[string]string) response {
	c.e.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/x-www-form-urlencoded"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.e.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	return c.send(method, path, rd, ct, header)
}

// send sends a request with a body of the given content type, as a
// browser on this site or a client with a token would, and returns the
// answer once checked against its schema.
func (c *client) send(method, path string, body io.Reader, contentType string, header map[string]string) response {
	c.e.t.Helper()
	req, err := http.NewRequest(method, c.e.url+path, body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if method != http.MethodGet && method != http.MethodHead && c.origin != "" {
		req.Header.Set("Origin", c.origin)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	c.e.checkResponse(method, req.URL.Path, res.StatusCode, res.Header, b)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// upload sends fields and then, if content is not nil, the file, as one
// multipart request: streamed, or in one piece when it is small.
func (c *client) upload(path string, fields map[string]string, fileName string, content io.Reader, header map[string]string) response {
	c.e.t.Helper()
	var body io.Reader
	var contentType string
	// A small upload goes in one piece, as a browser sends a small form.
	// Sent in pieces, the server may refuse a field and close the
	// connection, as it does on a streaming route, before the rest is
	// written; the client then sees a broken pipe instead of the answer
	// (which happens when tests run in parallel on a busy machine).
	if sized, ok := content.(interface{ Len() int }); content == nil || ok && sized.Len() <= 1<<20 {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		if err := writeMultipart(mw, fields, fileName, content); err != nil {
			c.e.t.Fatal(err)
		}
		body, contentType = &buf, mw.FormDataContentType()
	} else {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() { pw.CloseWithError(writeMultipart(mw, fields, fileName, content)) }()
		body, contentType = pr, mw.FormDataContentType()
	}
	return c.send(http.MethodPost, path, body, contentType, header)
}

// writeMultipart writes the fields and, if content is not nil, the file.
func writeMultipart(mw *multipart.Writer, fields map[string]string, fileName string, content io.Reader) error {
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			return err
		}
	}
	if content != nil {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			return err
		}
		if _, err := io.Copy(fw, content); err != nil {
			return err
		}
	}
	return mw.Close()
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

func mustURL(t testing.TB, raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func regexpFind(t testing.TB, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in %.300s", pattern, s)
	}
	return m[1]
}
