package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
)

// TestRefusedUploadIsAnsweredAndClosedAtOnce sends only the headers of a
// big upload to the streaming routes, as a raw TCP client that then waits:
// a client without session (or without the right) gets its refusal at
// once and sees the connection closed, instead of the server waiting for
// a body it never reads. (Not in parallel with other tests: "at once" is
// a second here.)
func TestRefusedUploadIsAnsweredAndClosedAtOnce(t *testing.T) {
	e := newTestEnv(t)
	e.user("udo", domain.Grant{Role: domain.RoleAuditor}) // may read evidence, not upload it
	auditor := "Authorization: Bearer " + tokenFor(t, e, "udo") + "\r\n"
	host := strings.TrimPrefix(e.url, "http://")
	cases := []struct {
		name, path, auth, framing string
		status                    int
	}{
		{"anonymous, chunked", "/api/v1/scopes/1/evidence", "", "Transfer-Encoding: chunked\r\n", http.StatusUnauthorized},
		{"anonymous, 10 GiB announced", "/api/v1/scopes/1/evidence", "", "Content-Length: 10737418240\r\n", http.StatusUnauthorized},
		{"anonymous, 200 KiB announced", "/api/v1/evidence/1/versions", "", "Content-Length: 204800\r\n", http.StatusUnauthorized},
		{"anonymous page, chunked", "/scopes/1/evidence", "", "Transfer-Encoding: chunked\r\n", http.StatusSeeOther},
		{"auditor, chunked", "/api/v1/scopes/1/evidence", auditor, "Transfer-Encoding: chunked\r\n", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", host)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			conn.SetDeadline(start.Add(time.Second))
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\n%sContent-Type: multipart/form-data; boundary=b\r\n%s\r\n",
				tc.path, host, tc.auth, tc.framing)
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer within a second: %v", err)
			}
			if res.StatusCode != tc.status {
				t.Errorf("status %d, want %d", res.StatusCode, tc.status)
			}
			// The connection ends right after the answer: the client reads
			// to its end (EOF), not into the deadline.
			if _, err := io.Copy(io.Discard, res.Body); err != nil {
				t.Errorf("answer body: %v", err)
			}
			if n, err := conn.Read(make([]byte, 1)); err == nil || isTimeout(err) {
				t.Errorf("connection still open %v after the headers (read %d, %v)", time.Since(start), n, err)
			}
		})
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
