package checkpoint

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// PublicKeyPath is where the public key is written beside the key file:
// audit-checkpoint.key → audit-checkpoint.pub.
func PublicKeyPath(keyFile string) string {
	return strings.TrimSuffix(keyFile, ".key") + ".pub"
}

// LoadOrCreateKey reads the signing key, or creates it (mode 0600, with
// its public key beside it) when there is none. Instances starting
// together agree on one key: it appears under its name only complete,
// and only once.
func LoadOrCreateKey(path string) (key ed25519.PrivateKey, created bool, err error) {
	key, err = LoadKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	_, key, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, false, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("audit checkpoint key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".audit-checkpoint-key-*") // mode 0600
	if err != nil {
		return nil, false, fmt.Errorf("audit checkpoint key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		tmp.Close()
		return nil, false, fmt.Errorf("audit checkpoint key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, false, fmt.Errorf("audit checkpoint key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, false, fmt.Errorf("audit checkpoint key: %w", err)
	}
	// A hard link never replaces a file: the first instance's key wins.
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		key, err := LoadKey(path)
		return key, false, err
	} else if err != nil {
		return nil, false, fmt.Errorf("audit checkpoint key: %w", err)
	}
	syncDir(dir)
	if err := WritePublicKey(PublicKeyPath(path), key.Public().(ed25519.PublicKey)); err != nil {
		return key, true, err
	}
	return key, true, nil
}

// LoadKey reads the signing key. A key that others may read is refused:
// with it, anyone could sign checkpoints of a rewritten trail.
func LoadKey(path string) (ed25519.PrivateKey, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint key: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("audit checkpoint key %s: others may read or change it (mode %04o); allow only its owner (chmod 600)", path, perm)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("audit checkpoint key %s: not a PEM \"PRIVATE KEY\"", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint key %s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("audit checkpoint key %s: not an Ed25519 key", path)
	}
	return key, nil
}

// LoadPublicKey reads a public key written by WritePublicKey (PEM
// "PUBLIC KEY", as openssl writes it too).
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint public key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("audit checkpoint public key %s: not a PEM \"PUBLIC KEY\"", path)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint public key %s: %w", path, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("audit checkpoint public key %s: not an Ed25519 key", path)
	}
	return pub, nil
}

// WritePublicKey writes pub as PEM "PUBLIC KEY" (mode 0644: it is meant
// to be copied elsewhere).
func WritePublicKey(path string, pub ed25519.PublicKey) error {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644); err != nil {
		return fmt.Errorf("audit checkpoint public key: %w", err)
	}
	return nil
}

// syncDir makes a new name in dir durable; where the system cannot, the
// name is still there unless the machine fails right now.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
