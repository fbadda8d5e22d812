package checkpoint

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"ismsd/internal/domain"
)

// tailSize is how much of the file's end is read to find its last line;
// a line is about 300 bytes.
const tailSize = 4096

// appendLine appends l to the checkpoint file at path, unless the file's
// last checkpoint, signed with pub, already reaches l's record: instances
// sharing the file then write each state of the trail once, in order. A
// last line that does not verify stops nothing. An exclusive lock (flock)
// keeps writers of several processes from interleaving; the file is
// opened for appending only and synced before the lock is released. It
// returns whether l was written and the line that was last before.
func appendLine(path string, l Line, pub ed25519.PublicKey) (written bool, prev []byte, err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return false, nil, err
	}
	defer f.Close() // also releases the lock
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return false, nil, fmt.Errorf("lock %s: %w", path, err)
	}
	info, err := f.Stat()
	if err != nil {
		return false, nil, err
	}
	out := l.Marshal()
	if size := info.Size(); size > 0 {
		tail := make([]byte, min(size, tailSize))
		if _, err := f.ReadAt(tail, size-int64(len(tail))); err != nil && err != io.EOF {
			return false, nil, err
		}
		if tail[len(tail)-1] != '\n' {
			// A line cut off by a crash stays a line of its own, which
			// verification reports, instead of spoiling this one.
			out = append([]byte{'\n'}, out...)
		} else {
			tail = tail[:len(tail)-1]
			prev = tail[bytes.LastIndexByte(tail, '\n')+1:]
			if last, err := Parse(prev); err == nil {
				if cp, err := last.Verify(pub); err == nil && cp.Seq >= l.Seq {
					return false, prev, nil
				}
			}
		}
	} else {
		defer syncDir(dir) // a new file: make its name durable too
	}
	if _, err := f.Write(out); err != nil {
		return false, prev, err
	}
	return true, prev, f.Sync()
}

// FileError is a line of a checkpoint file that is not a valid
// checkpoint.
type FileError struct {
	Path   string
	Line   int
	Reason string
}

func (e *FileError) Error() string {
	return fmt.Sprintf("checkpoint file %s, line %d: %s", e.Path, e.Line, e.Reason)
}

// ReadFile reads every checkpoint of the file at path and checks each
// line's signature with pub. A line that is not a checkpoint, or whose
// signature does not verify, is a *FileError: the file was tampered with
// (or a write was cut off by a crash). A missing file is an error that
// wraps fs.ErrNotExist.
func ReadFile(path string, pub ed25519.PublicKey) ([]domain.Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []domain.Checkpoint
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l, err := Parse(sc.Bytes())
		if err != nil {
			return out, &FileError{Path: path, Line: n, Reason: err.Error()}
		}
		cp, err := l.Verify(pub)
		if err != nil {
			return out, &FileError{Path: path, Line: n, Reason: err.Error()}
		}
		out = append(out, cp)
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}
