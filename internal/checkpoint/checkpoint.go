// Package checkpoint anchors the audit trail outside the database. The
// server signs the sequence number and hash of the trail's newest record,
// with the time, using an Ed25519 key kept outside PostgreSQL, and appends
// that checkpoint as one line to a file (and, if configured, to syslog).
// 'ismsd audit verify' checks the chain against the checkpoints: whoever
// deletes records at the end of the trail, or rewrites one and recomputes
// every later hash, as a database superuser can, cannot change what the
// checkpoints already vouch for. What happened after the last checkpoint
// is not covered.
package checkpoint

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"ismsd/internal/domain"
)

// Line is one checkpoint as it is written: a JSON object on one line,
// complete in itself and signed, so that lines of several instances in one
// file need nothing else to be checked.
type Line struct {
	Seq      int64  `json:"seq"`      // the newest audit record
	Hash     string `json:"hash"`     // its hash, hex
	At       string `json:"at"`       // when the checkpoint was taken, RFC 3339 in UTC
	Instance string `json:"instance"` // the host and process that wrote it
	Key      string `json:"key"`      // fingerprint of the public key that checks it
	Sig      string `json:"sig"`      // Ed25519 signature over message(), base64
}

// message is what the signature covers: every other field, in a fixed
// layout in which no value can pass for another (the instance is quoted).
func (l Line) message() []byte {
	return fmt.Appendf(nil, "ismsd audit checkpoint v1\nseq %d\nhash %s\nat %s\ninstance %q\nkey %s\n",
		l.Seq, l.Hash, l.At, l.Instance, l.Key)
}

// Fingerprint names a public key: the first 8 bytes of its SHA-256, hex.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Sign makes the checkpoint of record seq with hash, taken at at.
func Sign(key ed25519.PrivateKey, seq int64, hash []byte, at time.Time, instance string) Line {
	l := Line{Seq: seq, Hash: hex.EncodeToString(hash), At: at.UTC().Format(time.RFC3339Nano), Instance: instance,
		Key: Fingerprint(key.Public().(ed25519.PublicKey))}
	l.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(key, l.message()))
	return l
}

// Marshal is the line as written, with its newline.
func (l Line) Marshal() []byte {
	b, _ := json.Marshal(l) // strings and a number: cannot fail
	return append(b, '\n')
}

// Parse reads one line (without its newline).
func Parse(b []byte) (Line, error) {
	var l Line
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&l); err != nil {
		return l, fmt.Errorf("not a checkpoint: %v", err)
	}
	return l, nil
}

// Verify checks the line's signature with pub and returns what it vouches
// for.
func (l Line) Verify(pub ed25519.PublicKey) (domain.Checkpoint, error) {
	if want := Fingerprint(pub); l.Key != want {
		return domain.Checkpoint{}, fmt.Errorf("signed with the key %s, not with the key %s given to check it", l.Key, want)
	}
	sig, err := base64.StdEncoding.DecodeString(l.Sig)
	if err != nil || !ed25519.Verify(pub, l.message(), sig) {
		return domain.Checkpoint{}, fmt.Errorf("the signature does not verify: the line was altered or forged")
	}
	hash, err := hex.DecodeString(l.Hash)
	if err != nil || len(hash) != sha256.Size || l.Seq < 1 {
		return domain.Checkpoint{}, fmt.Errorf("a signed line without a record number and hash")
	}
	at, err := time.Parse(time.RFC3339Nano, l.At)
	if err != nil {
		return domain.Checkpoint{}, fmt.Errorf("a signed line without a readable time")
	}
	return domain.Checkpoint{Seq: l.Seq, Hash: hash, At: at}, nil
}
