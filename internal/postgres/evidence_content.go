package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"ismsd/internal/domain"
)

// ErrTampered marks evidence content that no longer matches its SHA-256.
var ErrTampered = fmt.Errorf("%w: evidence content does not match its SHA-256", domain.ErrIntegrity)

// chunkSize is the size of a stored chunk: large enough that a gigabyte is
// a thousand rows, small enough that reading or writing one keeps memory
// flat.
const chunkSize = 1 << 20

// storedContent is what the content store reports about stored content.
type storedContent struct {
	Size   int64
	SHA256 string // hex
	Chunks int
}

// contentStore keeps evidence content. PostgreSQL chunks are the only
// backend today; an object store would implement the same two methods,
// writing while the transaction runs and reading by version.
type contentStore interface {
	put(ctx context.Context, tx *Tx, versionID int64, r io.Reader) (storedContent, error)
	open(ctx context.Context, db *DB, versionID int64, want storedContent) io.ReadCloser
}

// evidenceContent is where evidence content is kept.
var evidenceContent contentStore = chunkStore{}

// chunkStore keeps content in evidence_chunks, in the writer's transaction.
type chunkStore struct{}

// put reads r to its end in chunks, hashing as it goes. Chunks travel as
// base64 text: lib/pq would send bytea as hex, twice the size.
func (chunkStore) put(ctx context.Context, tx *Tx, versionID int64, r io.Reader) (storedContent, error) {
	whole := sha256.New()
	buf := make([]byte, chunkSize)
	var out storedContent
	for {
		n, err := fill(r, buf)
		if n > 0 {
			part := buf[:n]
			whole.Write(part)
			sum := sha256.Sum256(part)
			if _, xerr := tx.x.ExecContext(ctx, `
				INSERT INTO evidence_chunks (version_id, seq, sha256, data) VALUES ($1, $2, decode($3, 'hex'), decode($4, 'base64'))`,
				versionID, out.Chunks, hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(part)); xerr != nil {
				return out, fmt.Errorf("store evidence chunk %d: %w", out.Chunks, xerr)
			}
			out.Chunks++
			out.Size += int64(n)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, fmt.Errorf("read evidence upload: %w", err)
		}
	}
	out.SHA256 = hex.EncodeToString(whole.Sum(nil))
	return out, nil
}

// fill reads into buf until it is full or r ends (io.EOF). Unlike
// io.ReadFull it passes on every error of r as it is: an upload cut off
// midway (io.ErrUnexpectedEOF from the body) must fail, not end early.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (chunkStore) open(ctx context.Context, db *DB, versionID int64, want storedContent) io.ReadCloser {
	return &chunkReader{ctx: ctx, db: db, versionID: versionID, want: want, whole: sha256.New()}
}

// chunkReader reads a version's chunks one by one, each checked before
// any of its bytes are handed out; at the end the whole is checked too
// (a chunk removed, added or rehashed). Only one chunk is in memory.
type chunkReader struct {
	ctx       context.Context
	db        *DB
	versionID int64
	want      storedContent
	whole     hash.Hash
	seq       int
	size      int64
	buf       bytes.Reader
	err       error
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for r.buf.Len() == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.err = r.next()
	}
	return r.buf.Read(p)
}

// next loads the next chunk into buf, or reports the end (io.EOF after
// the whole was checked) or a mismatch.
func (r *chunkReader) next() error {
	if r.seq == r.want.Chunks {
		var extra bool
		if err := r.db.x.GetContext(r.ctx, &extra, `SELECT EXISTS (SELECT 1 FROM evidence_chunks WHERE version_id = $1 AND seq >= $2)`,
			r.versionID, r.seq); err != nil {
			return err
		}
		if got := hex.EncodeToString(r.whole.Sum(nil)); extra || got != r.want.SHA256 || r.size != r.want.Size {
			return fmt.Errorf("%w: version %d has %d bytes with SHA-256 %s, want %d bytes with %s", ErrTampered, r.versionID, r.size, got,
				r.want.Size, r.want.SHA256)
		}
		return io.EOF
	}
	var c struct {
		SHA256 []byte `db:"sha256"`
		Data   []byte `db:"data"`
	}
	err := r.db.x.GetContext(r.ctx, &c, `SELECT sha256, data FROM evidence_chunks WHERE version_id = $1 AND seq = $2`, r.versionID, r.seq)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: chunk %d of version %d is missing", ErrTampered, r.seq, r.versionID)
	}
	if err != nil {
		return fmt.Errorf("read evidence chunk: %w", err)
	}
	if sum := sha256.Sum256(c.Data); !bytes.Equal(sum[:], c.SHA256) {
		return fmt.Errorf("%w: chunk %d of version %d", ErrTampered, r.seq, r.versionID)
	}
	r.whole.Write(c.Data)
	r.size += int64(len(c.Data))
	r.seq++
	r.buf.Reset(c.Data)
	return nil
}

func (r *chunkReader) Close() error {
	r.err = errors.New("evidence reader closed")
	r.buf.Reset(nil)
	return nil
}
