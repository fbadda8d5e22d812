package checkpoint

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"log/syslog"
	"net/url"
	"os"
	"strings"
	"time"
)

// Interval is how often the server checks whether the trail grew and, if
// so, writes a checkpoint: what is recorded in the last Interval before
// an attack is not covered.
const Interval = time.Minute

// Source is the audit trail as the anchor reads it (the store).
type Source interface {
	// AuditHead returns the newest record's number and hash (0 and nil
	// for an empty trail).
	AuditHead(ctx context.Context) (int64, []byte, error)
	// AuditHash returns the hash of record seq (nil when there is none).
	AuditHash(ctx context.Context, seq int64) ([]byte, error)
}

// Options say where the key and the checkpoints are kept.
type Options struct {
	KeyFile string // the signing key; created when missing
	File    string // the checkpoint file, appended to
	// Syslog also sends every checkpoint to syslog: "" or "off" not,
	// "on" the local syslog, or a URL such as udp://host:514,
	// tcp://host:514 or unixgram:///dev/log.
	Syslog   string
	Interval time.Duration // 0: Interval
	Log      *slog.Logger
}

// Anchor writes checkpoints of the audit trail.
type Anchor struct {
	key      ed25519.PrivateKey
	file     string
	instance string
	syslog   *syslog.Writer
	every    time.Duration
	log      *slog.Logger
}

// Open loads the signing key (creating it on the first start) and
// connects to syslog if configured.
func Open(o Options) (*Anchor, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	key, created, err := LoadOrCreateKey(o.KeyFile)
	if err != nil {
		return nil, err
	}
	if created {
		o.Log.Warn("created the key that signs the audit trail's checkpoints; keep a copy of its public key outside this machine",
			"key_file", o.KeyFile, "public_key_file", PublicKeyPath(o.KeyFile))
	}
	host, _ := os.Hostname()
	a := &Anchor{key: key, file: o.File, instance: fmt.Sprintf("%s/%d", host, os.Getpid()), every: o.Interval, log: o.Log}
	if a.every <= 0 {
		a.every = Interval
	}
	if a.syslog, err = dialSyslog(o.Syslog); err != nil {
		return nil, fmt.Errorf("ISMS_AUDIT_SYSLOG: %w", err)
	}
	return a, nil
}

// ParseSyslog checks a value of ISMS_AUDIT_SYSLOG and returns the network
// and address to dial ("" and "" for the local syslog).
func ParseSyslog(v string) (network, addr string, err error) {
	if v == "on" {
		return "", "", nil
	}
	u, err := url.Parse(v)
	if err != nil {
		return "", "", fmt.Errorf("want off, on or a URL such as udp://host:514")
	}
	switch u.Scheme {
	case "udp", "tcp":
		if u.Host == "" {
			return "", "", fmt.Errorf("want %s://host:port", u.Scheme)
		}
		return u.Scheme, u.Host, nil
	case "unix", "unixgram":
		if u.Path == "" {
			return "", "", fmt.Errorf("want %s:///path/of/the/socket", u.Scheme)
		}
		return u.Scheme, u.Path, nil
	}
	return "", "", fmt.Errorf("want off, on or a URL with udp, tcp, unix or unixgram, such as udp://host:514")
}

func dialSyslog(v string) (*syslog.Writer, error) {
	if v == "" || v == "off" {
		return nil, nil
	}
	network, addr, err := ParseSyslog(v)
	if err != nil {
		return nil, err
	}
	return syslog.Dial(network, addr, syslog.LOG_AUTHPRIV|syslog.LOG_INFO, "ismsd-audit")
}

// PublicKey is the key that checks the checkpoints.
func (a *Anchor) PublicKey() ed25519.PublicKey { return a.key.Public().(ed25519.PublicKey) }

// Checkpoint writes a checkpoint of the trail's newest record unless the
// file already has one that reaches it. Before, it compares the trail with
// the file's last checkpoint and logs an error if the trail no longer
// holds what that one vouches for: found within a minute, not only when
// an operator runs 'ismsd audit verify'.
func (a *Anchor) Checkpoint(ctx context.Context, src Source) (Line, bool, error) {
	seq, hash, err := src.AuditHead(ctx)
	if err != nil || seq == 0 {
		return Line{}, false, err
	}
	l := Sign(a.key, seq, hash, time.Now(), a.instance)
	written, prev, err := appendLine(a.file, l, a.PublicKey())
	if err != nil {
		return l, false, fmt.Errorf("write audit checkpoint to %s: %w", a.file, err)
	}
	a.compare(ctx, src, prev, seq)
	if written && a.syslog != nil {
		if err := a.syslog.Info(strings.TrimSuffix(string(l.Marshal()), "\n")); err != nil {
			a.log.Warn("sending the audit checkpoint to syslog failed", "err", err)
		}
	}
	return l, written, nil
}

// compare logs an error when the trail, whose newest record is head, no
// longer holds what the checkpoint line prev vouches for.
func (a *Anchor) compare(ctx context.Context, src Source, prev []byte, head int64) {
	l, err := Parse(prev)
	if err != nil {
		return
	}
	cp, err := l.Verify(a.PublicKey())
	if err != nil {
		a.log.Error("the last audit checkpoint does not verify: the checkpoint file was tampered with", "file", a.file, "err", err)
		return
	}
	if head < cp.Seq {
		a.log.Error("the audit trail ends before its last checkpoint: records were removed", "head", head, "checkpoint", cp.Seq,
			"checkpoint_at", cp.At)
		return
	}
	if hash, err := src.AuditHash(ctx, cp.Seq); err == nil && !bytes.Equal(hash, cp.Hash) {
		a.log.Error("an audit record differs from its checkpoint: the trail was rewritten", "seq", cp.Seq, "checkpoint_at", cp.At)
	}
}

// Start writes a checkpoint now and then whenever the trail has grown,
// every interval, until ctx ends or stop is called; stop waits for a last
// checkpoint, so a clean shutdown leaves nothing unanchored. Call stop
// before closing src.
func (a *Anchor) Start(ctx context.Context, src Source) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(a.every)
		defer t.Stop()
		for {
			a.tick(ctx, src)
			select {
			case <-ctx.Done():
				last, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
				a.tick(last, src)
				cancel()
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// Close ends the connection to syslog.
func (a *Anchor) Close() {
	if a.syslog != nil {
		a.syslog.Close()
	}
}

func (a *Anchor) tick(ctx context.Context, src Source) {
	if _, _, err := a.Checkpoint(ctx, src); err != nil && ctx.Err() == nil {
		a.log.Error("writing the audit checkpoint failed", "err", err)
	}
}
