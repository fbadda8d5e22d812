package account

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// TestDelayDoublesUpToTheLongest: no delay for the free failures, then a
// second, doubling with each further failure, never more than MaxDelay.
func TestDelayDoublesUpToTheLongest(t *testing.T) {
	c := DefaultConfig
	for failures, want := range map[int]time.Duration{0: 0, 4: 0, 5: time.Second, 6: 2 * time.Second, 7: 4 * time.Second,
		13: 256 * time.Second, 14: 5 * time.Minute, 1000: 5 * time.Minute} {
		if got := c.delay(failures, c.FreeFailures); got != want {
			t.Errorf("delay after %d failures = %v, want %v", failures, got, want)
		}
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	for _, tc := range []struct {
		f    postgres.LoginFailures
		want time.Duration
	}{
		{postgres.LoginFailures{Pair: 4, PairLast: ago(0), Client: 4, ClientLast: ago(0)}, 0},
		{postgres.LoginFailures{Pair: 6, PairLast: ago(500 * time.Millisecond), Client: 6, ClientLast: ago(0)}, 1500 * time.Millisecond},
		{postgres.LoginFailures{Pair: 6, PairLast: ago(3 * time.Second), Client: 6, ClientLast: ago(0)}, 0},
		{postgres.LoginFailures{Pair: 0, Client: 31, ClientLast: ago(time.Second)}, time.Second},
		{postgres.LoginFailures{Pair: 0, Client: 500, ClientLast: ago(4 * time.Minute)}, time.Minute},
	} {
		tc.f.Now = now
		if got := c.wait(tc.f); got != tc.want {
			t.Errorf("wait(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}
}

// TestPasswordPolicy: long enough, not containing the user name, and
// strong by zxcvbn with the names as known words.
func TestPasswordPolicy(t *testing.T) {
	s := &Service{hashSlots: make(chan struct{}, 1)}
	for _, tc := range []struct {
		password, username, display string
		refused                     string // part of the refusal; "" accepts
	}{
		{"correct horse battery", "karl", "", ""},
		{"plum anchor violet drum", "maria", "Maria Mustermann", ""},
		{"short", "karl", "", "at least 12"},
		{"password1234", "karl", "", "too easy"},
		{"aaaaaaaaaaaaaaaa", "karl", "", "too easy"},
		{"qwertzuiop123", "karl", "", "too easy"},
		{"Mustermann2026", "maria", "Maria Mustermann", "too easy"},
		{"Secret KARL horse battery", "karl", "", "user name"},
		{"karl-is-my-name-here", "karl", "", "user name"},
		// Only the first 64 characters are judged.
		{strings.Repeat("a", 64) + "lilac ferret umbrella", "karl", "", "too easy"},
	} {
		err := s.checkNewPassword("/password", tc.password, tc.username, tc.display)
		switch {
		case tc.refused == "" && err != nil:
			t.Errorf("%q refused: %v", tc.password, err)
		case tc.refused != "" && (err == nil || !errors.Is(err, domain.ErrInvalid) || !strings.Contains(err.Error(), tc.refused)):
			t.Errorf("%q: %v, want a refusal with %q", tc.password, err, tc.refused)
		}
	}
}

// BenchmarkPasswordPolicyWorstCase measures the strength estimate of a
// long random password, the slowest input (the estimator sees at most
// strengthPrefix characters of it).
func BenchmarkPasswordPolicyWorstCase(b *testing.B) {
	s := &Service{hashSlots: make(chan struct{}, 1)}
	password := "x" + GeneratePassword() + GeneratePassword() + GeneratePassword() + GeneratePassword() + GeneratePassword()
	for b.Loop() {
		if err := s.checkNewPassword("/password", password, "karl", "Karl Beispiel"); err != nil {
			b.Fatal(err)
		}
	}
}
