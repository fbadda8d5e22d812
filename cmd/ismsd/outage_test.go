package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testPostmasterKilled: writers create target objects from several
// goroutines while the private PostgreSQL's postmaster is killed. While it
// is down the server answers 503 with Retry-After (never 500); the server
// restarts PostgreSQL by itself and requests succeed again within 30 s;
// every object whose creation was acknowledged is there afterwards.
func testPostmasterKilled(t *testing.T, h *harness) {
	const (
		password = "Wiederanlauf-Probe-7319-Kx"
		writers  = 4
	)
	dir := h.dataDir(t)
	p := h.serve(t, dir, "ISMS_ADMIN_PASSWORD="+password)
	p.waitReady(t)
	c := login(t, p, "admin", password)
	var scopes struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	getJSON(t, p, c, "/api/v1/scopes", &scopes)
	if len(scopes.Items) == 0 {
		t.Fatalf("no scope to write into (the demo was not seeded)\n%s", p)
	}
	objects := fmt.Sprintf("%s/api/v1/scopes/%d/objects", p.base, scopes.Items[0].ID)

	type outcome struct {
		sent, done time.Time
		status     int
		retryAfter string
		name       string
		id         int64
		err        error
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	for w := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				o := outcome{sent: time.Now(), name: fmt.Sprintf("Lastprobe %d-%d", w, i)}
				// An own short id each: generated ones can collide between
				// concurrent creations, which is not this test's subject.
				body, _ := json.Marshal(map[string]string{"type": "it_system", "name": o.name, "short_id": fmt.Sprintf("LP-%d-%d", w, i)})
				req, _ := http.NewRequest(http.MethodPost, objects, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Origin", p.base)
				resp, err := c.Do(req)
				if err == nil {
					o.status, o.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
					var created struct {
						ID int64 `json:"id"`
					}
					data, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if o.status == http.StatusCreated {
						o.err = json.Unmarshal(data, &created)
						o.id = created.ID
					}
				}
				o.done, o.err = time.Now(), cmpErr(o.err, err)
				mu.Lock()
				outcomes = append(outcomes, o)
				mu.Unlock()
				if o.status != http.StatusCreated {
					time.Sleep(50 * time.Millisecond) // as a client honouring Retry-After would, only quicker
				}
			}
		})
	}
	snapshot := func() []outcome {
		mu.Lock()
		defer mu.Unlock()
		return append([]outcome(nil), outcomes...)
	}
	countCreated := func(after time.Time) int {
		n := 0
		for _, o := range snapshot() {
			if o.status == http.StatusCreated && o.sent.After(after) {
				n++
			}
		}
		return n
	}
	waitFor := func(what string, timeout time.Duration, cond func() bool) bool {
		deadline := time.Now().Add(timeout)
		for !cond() {
			if time.Now().After(deadline) {
				t.Errorf("not within %v: %s", timeout, what)
				return false
			}
			time.Sleep(10 * time.Millisecond)
		}
		return true
	}

	start := time.Now()
	waitFor("writes under way", 30*time.Second, func() bool { return countCreated(start) >= 20 })
	pm := postmasterPID(t, dir)
	if err := syscall.Kill(pm, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	// The outage is over with a success of a request sent after the first
	// refusal; a little more load shows it stays over.
	var firstRefused, recovered time.Time
	waitFor("a write succeeds again after the kill", 30*time.Second, func() bool {
		for _, o := range snapshot() {
			if o.sent.After(killed) && o.status == http.StatusServiceUnavailable && (firstRefused.IsZero() || o.done.Before(firstRefused)) {
				firstRefused = o.done
			}
		}
		if firstRefused.IsZero() {
			return false
		}
		for _, o := range snapshot() {
			if o.status == http.StatusCreated && o.sent.After(firstRefused) && (recovered.IsZero() || o.done.Before(recovered)) {
				recovered = o.done
			}
		}
		return !recovered.IsZero()
	})
	if !recovered.IsZero() {
		waitFor("writes go on after the recovery", 10*time.Second, func() bool { return countCreated(recovered) >= 20 })
	}
	close(stop)
	wg.Wait()

	all := snapshot()
	var acknowledged []outcome
	statuses := map[int]int{}
	for _, o := range all {
		statuses[o.status]++
		switch {
		case o.err != nil:
			t.Errorf("%s: %v", o.name, o.err)
		case o.status == http.StatusCreated:
			acknowledged = append(acknowledged, o)
		case o.status == http.StatusServiceUnavailable:
			if s, err := strconv.Atoi(o.retryAfter); err != nil || s <= 0 {
				t.Errorf("%s: 503 with Retry-After %q", o.name, o.retryAfter)
			}
		default:
			t.Errorf("%s: status %d (sent %v after the kill)", o.name, o.status, o.sent.Sub(killed))
		}
	}
	t.Logf("%d requests from %d writers, by status %v; first 503 %v after the kill, first success again %v after the kill",
		len(all), writers, statuses, firstRefused.Sub(killed).Round(time.Millisecond), recovered.Sub(killed).Round(time.Millisecond))
	if statuses[http.StatusServiceUnavailable] == 0 {
		t.Errorf("no request saw the outage: the test did not test it")
	}

	for _, o := range acknowledged {
		var obj struct {
			Name string `json:"name"`
		}
		getJSON(t, p, c, fmt.Sprintf("/api/v1/objects/%d", o.id), &obj)
		if obj.Name != o.name {
			t.Errorf("acknowledged object %d is %q, want %q", o.id, obj.Name, o.name)
		}
	}

	logs := p.stderr.String()
	if !regexp.MustCompile(`"msg":"PostgreSQL exited unexpectedly; restarting it".*"exit_status":"signal: killed"`).MatchString(logs) ||
		!strings.Contains(logs, `"msg":"PostgreSQL is back"`) {
		t.Errorf("the restart is not logged with the exit status\n%s", p)
	}
	if got := postmasterPID(t, dir); got == pm || !alive(got) {
		t.Errorf("postmaster after the restart: %d (killed %d, alive %v)", got, pm, alive(got))
	}
	p.wantReady(t)
	if code := p.stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("exit code after SIGINT = %d, want 0\n%s", code, p)
	}
	wantClusterGone(t, dir, p)
}

func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// getJSON reads path with c's session into v; anything but 200 fails.
func getJSON(t *testing.T, p *proc, c *http.Client, path string, v any) {
	t.Helper()
	resp, err := c.Get(p.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %s %s", path, resp.Status, data)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, data)
	}
}
